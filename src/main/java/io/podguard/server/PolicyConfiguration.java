package io.podguard.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Gauge;
import io.podguard.admission.NamespaceHandler;
import io.podguard.admission.PodSecurityLabelDryRun;
import io.podguard.engine.Engine;
import io.podguard.kube.KubernetesClients;
import io.podguard.policy.ConfiguredPolicyResolver;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyException;
import io.podguard.policy.PolicyFiles;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyStore;
import io.podguard.report.MetricNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The policy in force, its reloads and the namespace cache. Properties:
 * <ul>
 *   <li>{@code podguard.policy-file}: the policy to follow (absent: the embedded default);</li>
 *   <li>{@code podguard.policy-poll-interval} (default 10s): how often the file is read again
 *       besides the directory watch;</li>
 *   <li>{@code podguard.namespaces.watch}: {@code auto} (default: when the policy matches on
 *       namespace labels or honours namespace annotations), {@code always} or {@code never};</li>
 *   <li>{@code podguard.namespace-resources.watch}: the LimitRange and ResourceQuota caches for the
 *       resource defaults: {@code auto} (default: in a pod, or with {@code serve --kubeconfig}),
 *       {@code always} or {@code never};</li>
 *   <li>{@code podguard.kubeconfig}, {@code podguard.kube-context}: the kubeconfig and context for
 *       the namespace cache (default: kubectl's rules, {@link KubernetesClients}).</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class PolicyConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyConfiguration.class);

    enum NamespaceWatch { AUTO, ALWAYS, NEVER }

    @Bean(destroyMethod = "close")
    NamespaceCache namespaceCache(ObjectProvider<KubernetesClient> provided, Readiness readiness,
                                  @Value("${podguard.kubeconfig:}") String kubeconfig,
                                  @Value("${podguard.kube-context:}") String context, MeterRegistry registry) {
        NamespaceCache cache = new NamespaceCache(() -> {
            KubernetesClient client = provided.getIfAvailable();
            // Bounded: a cache miss reads one namespace on the request's path.
            return client != null ? client : KubernetesClients.connect(kubeconfig.isBlank() ? null : Path.of(kubeconfig),
                    context.isBlank() ? null : context, KubernetesClients.Timeouts.ADMISSION_PATH);
        }, readiness);
        Gauge.builder(MetricNames.NAMESPACE_CACHE_SYNCED, cache, c -> c.isSynced() ? 1 : 0)
                .description("1 once the Namespace informer has listed every namespace").register(registry);
        return cache;
    }

    /** The policy podguard starts with, and what its load read (for the file watcher; null: the embedded default). */
    record InitialPolicy(Policy policy, String source, PolicyFiles.@Nullable Snapshot read) {
    }

    @Bean
    InitialPolicy initialPolicy(PodguardProperties properties, ObjectProvider<StartupPolicy> loadedByServe) {
        if (properties.policyFile() == null) {
            return new InitialPolicy(PolicyLoader.embeddedDefault(), "embedded default", null);
        }
        StartupPolicy loaded = loadedByServe.getIfAvailable();
        if (loaded != null && loaded.file().equals(properties.policyFile().toAbsolutePath())) {
            // `serve` has just read, validated and compiled this file; a change since is the watcher's to see.
            return new InitialPolicy(loaded.policy(), properties.policyFile().toString(), loaded.read());
        }
        // Strict at start-up: a broken file fails start-up with its errors; only reloads keep a last good policy.
        PolicyFiles files = new PolicyFiles(properties.policyFile());
        try {
            return new InitialPolicy(PolicyLoader.load(files), properties.policyFile().toString(), files.snapshot());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read policy file " + properties.policyFile() + ": " + e.getMessage());
        } catch (PolicyException e) {
            throw new IllegalStateException("policy file " + properties.policyFile() + " is invalid:\n  "
                    + String.join("\n  ", e.errors()));
        }
    }

    @Bean(destroyMethod = "close")
    NamespaceResourcesCache namespaceResourcesCache(ObjectProvider<KubernetesClient> provided, Readiness readiness,
                                                    @Value("${podguard.kubeconfig:}") String kubeconfig,
                                                    @Value("${podguard.kube-context:}") String context, MeterRegistry registry,
                                                    @Value("${podguard.namespace-resources.watch:auto}") String watch) {
        Path file = kubeconfig.isBlank() ? null : Path.of(kubeconfig);
        String name = context.isBlank() ? null : context;
        NamespaceResourcesCache cache = new NamespaceResourcesCache(() -> {
            KubernetesClient client = provided.getIfAvailable();
            return client != null ? client : KubernetesClients.connect(file, name, KubernetesClients.Timeouts.SERVER);
        }, readiness);
        Gauge.builder(MetricNames.NAMESPACE_RESOURCES_SYNCED, cache, c -> c.isSynced() ? 1 : 0)
                .description("1 once the LimitRange and ResourceQuota informers have listed every namespace's").register(registry);
        NamespaceWatch mode = namespaceWatch("podguard.namespace-resources.watch", watch);
        // Readiness waits for them: they start by themselves only where podguard was pointed at a cluster on
        // purpose (in a pod, or serve --kubeconfig), never for a workstation's kubeconfig that may lack the rights.
        if (mode == NamespaceWatch.ALWAYS || mode == NamespaceWatch.AUTO && chosenForTheServer(file, name)) {
            cache.start();
        }
        return cache;
    }

    private static boolean chosenForTheServer(@Nullable Path kubeconfig, @Nullable String context) {
        try {
            KubernetesClients.Origin origin = KubernetesClients.resolve(kubeconfig, context, KubernetesClients.Environment.current()).origin();
            return origin == KubernetesClients.Origin.IN_CLUSTER || origin == KubernetesClients.Origin.FLAG;
        } catch (io.podguard.kube.KubeconfigException e) {
            return false;
        }
    }

    @Bean
    PolicyStore policyStore(InitialPolicy initialPolicy, NamespaceCache namespaces, NamespaceResourcesCache limits,
                            @Value("${podguard.namespaces.watch:auto}") String watch) {
        NamespaceWatch mode = namespaceWatch(watch);
        Policy initial = initialPolicy.policy();
        String source = initialPolicy.source();
        LOG.info("policy: {}", source);
        if (mode == NamespaceWatch.ALWAYS || mode == NamespaceWatch.AUTO && initial.usesNamespaces()) {
            namespaces.start(true);
        } else if (mode == NamespaceWatch.NEVER && initial.usesNamespaceLabels()) {
            LOG.warn("the policy matches on namespace labels but podguard.namespaces.watch=never: no label selector will match");
        } else if (mode == NamespaceWatch.NEVER && initial.usesNamespaceAnnotations()) {
            LOG.warn("the policy honours namespace annotations but podguard.namespaces.watch=never: none will be read");
        }
        return new PolicyStore(initial, source, policy -> new ConfiguredPolicyResolver(policy, namespaces, limits, Clock.systemUTC(),
                (index, exemption) -> LOG.warn("exemption {} (\"{}\") expired on {} and no longer applies",
                        index, exemption.reason(), exemption.expires())));
    }

    /**
     * {@code /namespaces/pod-security-labels}: PSA's namespace label dry run, through the namespace
     * cache's client ({@code list} on pods). Always served; the chart registers its webhook when
     * namespace labels are on.
     */
    @Bean
    NamespaceHandler podSecurityLabelDryRun(Engine engine, PolicyStore policies, NamespaceCache namespaces,
                                            @Value("${podguard.namespace-dry-run.list-timeout:2s}") Duration listTimeout) {
        return new PodSecurityLabelDryRun(engine, policies::resolver, new NamespacePodPages(namespaces::client, listTimeout));
    }

    @Bean
    PolicyMetrics policyMetrics(MeterRegistry registry, PolicyStore store) {
        PolicyMetrics metrics = new PolicyMetrics(registry, store);
        metrics.loaded(false);
        return metrics;
    }

    @Bean
    PolicyFileWatcher policyFileWatcher(PodguardProperties properties, InitialPolicy initialPolicy, PolicyStore store,
                                        PolicyMetrics metrics, NamespaceCache namespaces,
                                        @Value("${podguard.policy-poll-interval:10s}") Duration interval,
                                        @Value("${podguard.namespaces.watch:auto}") String watch) {
        if (properties.policyFile() == null) {
            return null;
        }
        NamespaceWatch mode = namespaceWatch(watch);
        return new PolicyFileWatcher(properties.policyFile(), initialPolicy.read(), store, metrics, interval, policy -> {
            if (mode == NamespaceWatch.AUTO && policy.usesNamespaces()) {
                namespaces.start(false);
            }
        });
    }

    private static NamespaceWatch namespaceWatch(String value) {
        return namespaceWatch("podguard.namespaces.watch", value);
    }

    private static NamespaceWatch namespaceWatch(String property, String value) {
        try {
            return NamespaceWatch.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + ": \"" + value + "\" is not one of auto, always, never");
        }
    }
}
