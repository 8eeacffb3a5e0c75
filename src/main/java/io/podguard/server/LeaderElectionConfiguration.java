package io.podguard.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.kube.KubeconfigException;
import io.podguard.kube.KubernetesClients;
import io.podguard.kube.KubernetesClients.Origin;
import io.podguard.kube.KubernetesClients.Target;
import io.podguard.kube.KubernetesClients.Timeouts;
import io.podguard.kube.LeaderElection;
import io.podguard.kube.Leadership;
import io.podguard.report.MetricNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Leader election among podguard's replicas ({@link LeaderElection}) and its metrics
 * {@code podguard_leader} and {@code podguard_leader_transitions_total}. On by itself where
 * podguard reaches its cluster on purpose (in a pod, or {@code serve --kubeconfig}) and something
 * that must run once per cluster may run (the background audit, managed certificates); else this
 * replica always leads, as a single replica does.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({LeaderElectionProperties.class, AuditProperties.class})
class LeaderElectionConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElectionConfiguration.class);
    private static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    @Bean(destroyMethod = "close")
    ReplicaRole replicaRole(LeaderElectionProperties properties, AuditProperties audit,
                            @Value("${podguard.certs.managed.enabled:false}") boolean managedCertificates,
                            @Value("${podguard.kubeconfig:}") String kubeconfig, @Value("${podguard.kube-context:}") String context,
                            MeterRegistry registry) {
        String identity = properties.identity() != null && !properties.identity().isBlank() ? properties.identity() : identity();
        ReplicaRole role = decide(properties, audit, managedCertificates, kubeconfig, context, identity);
        LOG.info("leader election: {}", role.why());
        Leadership leadership = role.leadership();
        Gauge.builder(MetricNames.LEADER, leadership, l -> l.isLeader() ? 1 : 0)
                .description("1 while this replica leads: it runs the background audit and writes PolicyReports and the certificate Secret")
                .register(registry);
        Counter acquired = Counter.builder(MetricNames.LEADER_TRANSITIONS).tag(MetricNames.CHANGE, "acquired")
                .description("Times this replica became or stopped being the leader").register(registry);
        Counter lost = Counter.builder(MetricNames.LEADER_TRANSITIONS).tag(MetricNames.CHANGE, "lost")
                .description("Times this replica became or stopped being the leader").register(registry);
        leadership.addListener(new Leadership.Listener() {
            @Override
            public void startedLeading() {
                acquired.increment();
            }

            @Override
            public void stoppedLeading() {
                lost.increment();
            }
        });
        if (role.election() != null) {
            role.election().start();
        }
        return role;
    }

    private static ReplicaRole decide(LeaderElectionProperties properties, AuditProperties audit, boolean managedCertificates,
                                      String kubeconfig, String context, String identity) {
        if (Boolean.FALSE.equals(properties.enabled())) {
            return always(identity, "off (podguard.leader-election.enabled is false): this replica audits and writes as the only one");
        }
        boolean needed = !Boolean.FALSE.equals(audit.enabled()) || managedCertificates;
        if (!needed && properties.enabled() == null) {
            return always(identity, "off: neither the background audit nor managed certificates run");
        }
        Target target;
        try {
            target = KubernetesClients.resolve(kubeconfig.isEmpty() ? null : Path.of(kubeconfig), context.isEmpty() ? null : context,
                    KubernetesClients.Environment.current());
        } catch (KubeconfigException e) {
            if (Boolean.TRUE.equals(properties.enabled())) {
                LOG.warn("podguard.leader-election.enabled is true but podguard has no cluster access ({}): off", e.getMessage());
            }
            return always(identity, "off: no cluster access");
        }
        boolean chosen = target.origin() == Origin.IN_CLUSTER || target.origin() == Origin.FLAG;
        if (properties.enabled() == null && !chosen) {
            return always(identity, "off (podguard reaches " + target.description()
                    + ", neither a pod's service account nor serve --kubeconfig: set podguard.leader-election.enabled=true)");
        }
        // Its own client, without retries and with requests shorter than a renewal may take:
        // fabric8's loop is the retry, and must see the renew deadline pass on time.
        java.time.Duration request = properties.renewDeadline().dividedBy(4);
        KubernetesClient client = KubernetesClients.connect(target, new Timeouts(request, request, 0), userAgent(identity));
        String namespace = namespace(properties, client);
        LeaderElection election = new LeaderElection(client, new LeaderElection.Settings(namespace, properties.leaseName(), identity,
                properties.leaseDuration(), properties.renewDeadline(), properties.retryPeriod()));
        return new ReplicaRole(election, election, client, namespace, "on, Lease " + namespace + "/" + properties.leaseName()
                + " through " + target.description() + ", this replica is " + identity);
    }

    private static ReplicaRole always(String identity, String why) {
        return new ReplicaRole(Leadership.always(identity), null, null, null, why);
    }

    /** {@code POD_NAME} (or the host name) and a random suffix: a restarted pod is a new candidate, as client-go names them. */
    static String identity() {
        String base = null;
        for (String env : new String[] {"POD_NAME", "HOSTNAME"}) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) {
                base = v.trim();
                break;
            }
        }
        if (base == null) {
            try {
                base = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                base = "podguard";
            }
        }
        byte[] suffix = new byte[3];
        new SecureRandom().nextBytes(suffix);
        return (base.length() > 100 ? base.substring(0, 100) : base) + "_" + HexFormat.of().formatHex(suffix);
    }

    /** {@code podguard/VERSION (IDENTITY)}: in the apiserver's audit log, which replica asked. */
    static String userAgent(String identity) {
        String version = LeaderElectionConfiguration.class.getPackage().getImplementationVersion();
        return "podguard/" + (version == null ? "dev" : version) + " (" + identity + ")";
    }

    private static String namespace(LeaderElectionProperties properties, KubernetesClient client) {
        if (properties.namespace() != null && !properties.namespace().isBlank()) {
            return properties.namespace();
        }
        String own = System.getenv("POD_NAMESPACE");
        if (own != null && !own.isBlank()) {
            return own.trim();
        }
        if (Files.isReadable(SERVICE_ACCOUNT_NAMESPACE)) {
            try {
                return Files.readString(SERVICE_ACCOUNT_NAMESPACE).trim();
            } catch (IOException e) {
                // the next source
            }
        }
        @Nullable String fromConfig = client.getNamespace();
        return fromConfig == null || fromConfig.isBlank() ? "default" : fromConfig;
    }
}
