package io.podguard.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.audit.BackgroundAudit;
import io.podguard.audit.ClusterAudit;
import io.podguard.audit.PolicyReports;
import io.podguard.audit.SharedResults;
import io.podguard.engine.Engine;
import io.podguard.kube.KubernetesClients;
import io.podguard.kube.Leadership;
import io.podguard.policy.PolicyStore;
import io.podguard.report.EvaluationMetrics;
import io.podguard.report.EventRateLimiter;
import io.podguard.report.PolicyEvents;
import io.podguard.report.ReviewObserver;
import io.podguard.report.ViolationLog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What podguard records beyond the response: per-check metrics, the violation log line,
 * Events, and the background audit with its {@code /audit} endpoint. Events and the audit
 * need cluster access ({@link ClusterConnection}: the pod's service account, or
 * {@code podguard.kubeconfig}) and are off without it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({AuditProperties.class, EventsProperties.class})
class ReportingConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ReportingConfiguration.class);
    /** How long a replica serves the leader's shared audit before it reads it again. */
    private static final Duration SHARED_MAX_AGE = Duration.ofSeconds(5);

    @Bean
    EvaluationMetrics evaluationMetrics(MeterRegistry registry) {
        return new EvaluationMetrics(registry);
    }

    @Bean
    ViolationLog violationLog() {
        return new ViolationLog();
    }

    @Bean
    ClusterConnection clusterConnection(@Value("${podguard.kubeconfig:}") String kubeconfig,
                                        @Value("${podguard.kube-context:}") String context, AuditProperties audit, EventsProperties events,
                                        ReplicaRole role) {
        if (Boolean.FALSE.equals(audit.enabled()) && Boolean.FALSE.equals(events.enabled())) {
            return ClusterConnection.none("no cluster access needed (podguard.audit.enabled and podguard.events.enabled are false)");
        }
        return ClusterConnection.of(kubeconfig.isEmpty() ? null : Path.of(kubeconfig), context.isEmpty() ? null : context,
                KubernetesClients.Environment.current(), LeaderElectionConfiguration.userAgent(role.leadership().identity()));
    }

    /**
     * {@link PolicyEvents} when Events are on, else an observer that does nothing. Events only for
     * the namespaces the webhook configurations select ({@code podguard.webhooks.*}); when that
     * depends on labels, the namespace cache is started and a namespace it does not hold gets none.
     */
    @Bean
    ReviewObserver policyEvents(EventsProperties properties, ClusterConnection cluster, MeterRegistry registry,
                                PodguardProperties podguard, NamespaceCache namespaces) {
        KubernetesClient client = cluster.client();
        if (!on("podguard.events", properties.enabled(), cluster)) {
            return ReviewObserver.NONE;
        }
        WebhookScope scope = new WebhookScope(podguard.webhooks(), namespaces::cachedLabels);
        if (scope.needsLabels()) {
            namespaces.start(false);
        }
        LOG.info("Events: on ({}), at most one per namespace and check every {}, {} a minute in all; not in namespaces {}{}",
                cluster.description(), properties.perKeyInterval(), properties.maxPerMinute(), podguard.webhooks().excludeNamespaces(),
                scope.needsLabels() ? " nor outside the webhooks' namespace selector" : "");
        return new PolicyEvents(PolicyEvents.writer(client),
                new EventRateLimiter(properties.perKeyInterval(), properties.maxPerMinute(), System::nanoTime),
                properties.queueCapacity(), Clock.systemUTC(), instance(), registry, scope);
    }

    @Bean
    AuditEndpoint auditEndpoint(AuditProperties properties, ClusterConnection cluster, Engine engine, PolicyStore policies,
                                ReplicaRole role, MeterRegistry registry) {
        BackgroundAudit audit = backgroundAudit(properties, cluster, engine, policies, role, registry);
        String reason = audit != null ? "" : properties.enabled() == Boolean.FALSE ? "podguard.audit.enabled is false"
                : cluster.client() == null ? cluster.description()
                : "off unless podguard.audit.enabled=true: podguard reaches the cluster through " + cluster.description()
                        + ", neither a pod's service account nor serve --kubeconfig";
        return new AuditEndpoint(audit, reason);
    }

    private static @Nullable BackgroundAudit backgroundAudit(AuditProperties properties, ClusterConnection cluster, Engine engine,
                                                             PolicyStore policies, ReplicaRole role, MeterRegistry registry) {
        KubernetesClient client = cluster.client();
        if (!on("podguard.audit", properties.enabled(), cluster)) {
            return null;
        }
        Set<String> excluded = new LinkedHashSet<>(properties.excludeNamespaces());
        String own = System.getenv("POD_NAMESPACE");
        if (own != null && !own.isEmpty()) {
            excluded.add(own);
        }
        Leadership leadership = role.leadership();
        PolicyReports reports = properties.policyReports()
                ? new PolicyReports(client, properties.maxResultsPerReport()) : null;
        // With leader election, the leader shares each run beside the Lease; the others serve it from there.
        SharedResults shared = role.namespace() == null ? null
                : new SharedResults(client, role.namespace(), role.sharedAuditConfigMap(), SHARED_MAX_AGE, Clock.systemUTC());
        BackgroundAudit audit = new BackgroundAudit(new ClusterAudit(client, engine, properties.pageSize(), Clock.systemUTC()),
                reports, shared, policies::current, new ClusterAudit.Scope(null, excluded), properties.interval(),
                properties.timeBudget(), leadership::isLeader, leadership.identity(), Clock.systemUTC(), registry);
        policies.addListener(snapshot -> audit.trigger());
        LOG.info("background audit: on ({}), every {} within {}, {} pods a page, excluding namespaces {}; {}", cluster.description(),
                properties.interval(), properties.timeBudget(), properties.pageSize(), excluded,
                shared == null ? "this replica audits" : "the leader audits and shares its runs through " + shared.describe());
        leadership.addListener(new Leadership.Listener() {
            @Override
            public void startedLeading() {
                audit.lead();
            }

            @Override
            public void stoppedLeading() {
                audit.follow();
            }
        });
        return audit;
    }

    private static boolean on(String feature, @Nullable Boolean enabled, ClusterConnection cluster) {
        if (Boolean.FALSE.equals(enabled)) {
            return false;
        }
        if (cluster.client() == null) {
            if (Boolean.TRUE.equals(enabled)) {
                LOG.warn("{}.enabled is true but podguard has {}: off", feature, cluster.description());
            }
            return false;
        }
        if (enabled == null && !cluster.chosenForTheServer()) {
            LOG.info("{}: off ({} is not switched on by itself through {}: set {}.enabled=true, or serve --kubeconfig)",
                    feature, feature, cluster.description(), feature);
            return false;
        }
        return true;
    }

    /** {@code reportingInstance}: the pod's name as the Downward API or the hostname gives it. */
    private static String instance() {
        for (String env : new String[] {"POD_NAME", "HOSTNAME"}) {
            String v = System.getenv(env);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "podguard";
    }
}
