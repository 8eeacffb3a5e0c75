package io.podguard.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podguard.kube.KubernetesClients;
import io.podguard.kube.Leadership;
import io.podguard.tls.managed.CaBundleInjector;
import io.podguard.tls.managed.CertificateSettings;
import io.podguard.tls.managed.ManagedCertificates;
import io.podguard.tls.managed.SecretCertificateStore;
import io.podguard.tls.managed.ServedCertificateProbe;
import io.podguard.tls.managed.ServingFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Self-managed certificates ({@code podguard.certs.managed.enabled=true}): wires
 * {@link ManagedCertificates} to the serving files {@code serve} made at start-up, to readiness,
 * and to the leader election (only the leader writes the Secret and the CA bundle), and starts it
 * once the HTTPS server listens.
 *
 * <p>Switched by the property when the context starts, not by a {@code @Conditional}: the build
 * fixes the server's bean definitions ahead of time (Spring AOT), and with them every condition,
 * so the beans always exist and are null (Spring's empty bean) when the feature is off.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ManagedCertificatesProperties.class)
class ManagedCertificatesConfiguration {

    private static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    /** The HTTPS port, known once the server listens; the readiness probe connects to it. */
    private final AtomicInteger httpsPort = new AtomicInteger();

    /**
     * Its own client, so this feature neither needs nor disturbs another one's, found by
     * kubectl's rules ({@link KubernetesClients}; in a pod: its service account). Not a default
     * candidate: it is injected by name here only, never into a bean that asks for any client.
     */
    @Bean(destroyMethod = "close", defaultCandidate = false)
    @Nullable KubernetesClient managedCertificatesClient(ManagedCertificatesProperties managed,
                                                         @Value("${podguard.kubeconfig:}") String kubeconfig,
                                                         @Value("${podguard.kube-context:}") String context) {
        if (!managed.enabled()) {
            return null;
        }
        return KubernetesClients.connect(kubeconfig.isEmpty() ? null : Path.of(kubeconfig), context.isEmpty() ? null : context,
                KubernetesClients.Timeouts.SERVER);
    }

    @Bean(destroyMethod = "close")
    @Nullable ManagedCertificates managedCertificates(ManagedCertificatesProperties managed, PodguardProperties podguard, Readiness readiness,
                                                      @Qualifier("managedCertificatesClient") ObjectProvider<KubernetesClient> client,
                                                      ReplicaRole role) {
        KubernetesClient managedCertificatesClient = client.getIfAvailable();
        if (!managed.enabled() || managedCertificatesClient == null) {
            return null;
        }
        CertificateSettings settings = settings(managed);
        PodguardProperties.Tls tls = podguard.tls();
        if (tls.certFile() == null || tls.keyFile() == null) {
            throw new IllegalStateException("podguard.certs.managed needs podguard.tls.cert-file and key-file (set by `serve`)");
        }
        Leadership leadership = role.leadership();
        ManagedCertificates certificates = new ManagedCertificates(settings,
                new SecretCertificateStore(managedCertificatesClient, settings),
                new CaBundleInjector(managedCertificatesClient, settings.webhookConfigurations()),
                new ServingFiles(tls.certFile(), tls.keyFile()),
                new ServedCertificateProbe(httpsPort::get),
                new ManagedCertificates.ReadinessGate() {
                    @Override
                    public void block(String why) {
                        readiness.block(ManagedCertificates.CONDITION, why);
                    }

                    @Override
                    public void ready() {
                        readiness.ready(ManagedCertificates.CONDITION);
                    }
                },
                Clock.systemUTC(), managed.checkInterval(), leadership::isLeader);
        leadership.addListener(new Leadership.Listener() {
            @Override
            public void startedLeading() {
                // A renewal another replica left due, or a Secret nobody made yet, is this one's now.
                certificates.soon();
            }

            @Override
            public void stoppedLeading() {
            }
        });
        return certificates;
    }

    /** Starts the certificate loop when the webhook's HTTPS server (not the management one) listens. */
    @Bean
    ApplicationListener<WebServerInitializedEvent> managedCertificatesStarter(ObjectProvider<ManagedCertificates> managed) {
        return event -> {
            ManagedCertificates managedCertificates = managed.getIfAvailable();
            if (managedCertificates != null && event.getApplicationContext().getServerNamespace() == null) {
                httpsPort.set(event.getWebServer().getPort());
                managedCertificates.start();
            }
        };
    }

    static CertificateSettings settings(ManagedCertificatesProperties managed) {
        String namespace = managed.namespace();
        if (namespace == null || namespace.isBlank()) {
            namespace = System.getenv("POD_NAMESPACE");
        }
        if ((namespace == null || namespace.isBlank()) && Files.isReadable(SERVICE_ACCOUNT_NAMESPACE)) {
            try {
                namespace = Files.readString(SERVICE_ACCOUNT_NAMESPACE).trim();
            } catch (IOException e) {
                namespace = null;
            }
        }
        if (namespace == null || namespace.isBlank()) {
            throw new IllegalStateException("podguard.certs.managed.namespace is not set and POD_NAMESPACE is empty");
        }
        if (managed.secretName() == null || managed.secretName().isBlank()) {
            throw new IllegalStateException("podguard.certs.managed.secret-name is required");
        }
        return new CertificateSettings(namespace, managed.secretName(), managed.mutatingWebhookConfiguration(),
                managed.validatingWebhookConfiguration(), managed.dnsNames(), managed.caValidity(),
                managed.servingValidity());
    }
}
