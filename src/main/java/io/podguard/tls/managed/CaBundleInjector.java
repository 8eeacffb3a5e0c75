package io.podguard.tls.managed;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the CA bundle into every webhook of podguard's webhook configurations, by name (RBAC
 * allows get and update on those names only). Each update is conditional on the version read,
 * and a bundle is never replaced by one older than what is injected: a replica whose view of
 * the Secret is a moment old must not take back a CA that another replica just added.
 */
public final class CaBundleInjector {

    private static final Logger LOG = LoggerFactory.getLogger(CaBundleInjector.class);
    private static final int MAX_ATTEMPTS = 5;

    private final KubernetesClient client;
    private final List<WebhookConfigurationRef> configurations;

    public CaBundleInjector(KubernetesClient client, List<WebhookConfigurationRef> configurations) {
        this.client = client;
        this.configurations = List.copyOf(configurations);
    }

    public enum Outcome {
        /** Every webhook already carried the bundle. */
        UNCHANGED,
        /** At least one configuration was updated. */
        INJECTED,
        /** A configuration carries a newer podguard CA than this bundle: re-read the Secret first. */
        STALE,
        /** Not every webhook carries the bundle yet, and this replica may not write it: the leader does. */
        PENDING
    }

    /** Thrown when a configuration is missing: the chart has not installed it (yet). */
    public static final class MissingConfigurationException extends RuntimeException {
        MissingConfigurationException(WebhookConfigurationRef ref) {
            super(ref + " not found");
        }
    }

    /**
     * Injects {@code set}'s CA bundle into every configured webhook configuration.
     *
     * @throws MissingConfigurationException when a configuration does not exist
     * @throws KubernetesClientException when the API refuses
     */
    public Outcome inject(CertificateSet set, Instant now) {
        return inject(set, now, true);
    }

    /**
     * As {@link #inject(CertificateSet, Instant)}; a replica that may not write (it does not
     * lead) only looks, and answers {@link Outcome#PENDING} where the bundle is not there yet.
     */
    public Outcome inject(CertificateSet set, Instant now, boolean mayWrite) {
        String caBundle = Base64.getEncoder().encodeToString(set.caBundlePem().getBytes(StandardCharsets.US_ASCII));
        Outcome outcome = Outcome.UNCHANGED;
        for (WebhookConfigurationRef ref : configurations) {
            Outcome one = mayWrite ? injectWithRetry(ref, set, caBundle, now) : look(ref, set, caBundle, now);
            if (one == Outcome.PENDING) {
                outcome = Outcome.PENDING;
                continue;
            }
            if (one == Outcome.STALE) {
                return Outcome.STALE;
            }
            if (one == Outcome.INJECTED) {
                outcome = Outcome.INJECTED;
            }
        }
        return outcome;
    }

    private Outcome injectWithRetry(WebhookConfigurationRef ref, CertificateSet set, String caBundle, Instant now) {
        for (int attempt = 1; ; attempt++) {
            try {
                return injectOnce(ref, set, caBundle, now);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Whether {@code ref} carries the bundle already, without writing. */
    private Outcome look(WebhookConfigurationRef ref, CertificateSet set, String caBundle, Instant now) {
        HasMetadata configuration = fetch(ref);
        for (WebhookClientConfig clientConfig : clientConfigs(configuration)) {
            if (Objects.equals(clientConfig.getCaBundle(), caBundle)) {
                continue;
            }
            return newerCaInjected(clientConfig.getCaBundle(), set, now) ? Outcome.STALE : Outcome.PENDING;
        }
        return Outcome.UNCHANGED;
    }

    /** The webhook configuration {@code ref} names, as the apiserver has it now. */
    private HasMetadata fetch(WebhookConfigurationRef ref) {
        HasMetadata configuration = switch (ref.kind()) {
            case MUTATING -> client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(ref.name()).get();
            case VALIDATING -> client.admissionRegistration().v1().validatingWebhookConfigurations().withName(ref.name()).get();
        };
        if (configuration == null) {
            throw new MissingConfigurationException(ref);
        }
        return configuration;
    }

    private Outcome injectOnce(WebhookConfigurationRef ref, CertificateSet set, String caBundle, Instant now) {
        HasMetadata configuration = fetch(ref);
        List<WebhookClientConfig> clientConfigs = clientConfigs(configuration);
        boolean changed = false;
        for (WebhookClientConfig clientConfig : clientConfigs) {
            if (Objects.equals(clientConfig.getCaBundle(), caBundle)) {
                continue;
            }
            if (newerCaInjected(clientConfig.getCaBundle(), set, now)) {
                LOG.info("{} carries a newer podguard CA than the Secret this replica read: reading the Secret again", ref);
                return Outcome.STALE;
            }
            clientConfig.setCaBundle(caBundle);
            changed = true;
        }
        if (!changed) {
            return Outcome.UNCHANGED;
        }
        // The object read carries its resourceVersion: the update fails with 409 if it changed since.
        switch (configuration) {
            case MutatingWebhookConfiguration m -> client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(m).update();
            case ValidatingWebhookConfiguration v -> client.admissionRegistration().v1().validatingWebhookConfigurations().resource(v).update();
            default -> throw new IllegalStateException("not a webhook configuration: " + configuration.getKind());
        }
        LOG.info("injected the CA bundle ({} CA certificate(s)) into {}", set.caBundle().size(), ref);
        return Outcome.INJECTED;
    }

    private static List<WebhookClientConfig> clientConfigs(HasMetadata configuration) {
        List<WebhookClientConfig> configs = new ArrayList<>();
        if (configuration instanceof MutatingWebhookConfiguration m && m.getWebhooks() != null) {
            for (MutatingWebhook w : m.getWebhooks()) {
                if (w.getClientConfig() == null) {
                    w.setClientConfig(new WebhookClientConfig());
                }
                configs.add(w.getClientConfig());
            }
        } else if (configuration instanceof ValidatingWebhookConfiguration v && v.getWebhooks() != null) {
            for (ValidatingWebhook w : v.getWebhooks()) {
                if (w.getClientConfig() == null) {
                    w.setClientConfig(new WebhookClientConfig());
                }
                configs.add(w.getClientConfig());
            }
        }
        return configs;
    }

    /**
     * Whether {@code injected} holds a valid podguard CA issued after every CA of {@code set}:
     * then the Secret was renewed after this replica read it.
     */
    static boolean newerCaInjected(String injected, CertificateSet set, Instant now) {
        if (injected == null || injected.isEmpty()) {
            return false;
        }
        List<X509Certificate> certificates;
        try {
            certificates = CertificateSet.certificates(new String(Base64.getDecoder().decode(injected), StandardCharsets.US_ASCII), "caBundle");
        } catch (IllegalArgumentException e) {
            return false;
        }
        Instant newestOurs = set.caBundle().stream().map(c -> c.getNotBefore().toInstant()).max(Instant::compareTo).orElse(Instant.MIN);
        for (X509Certificate c : certificates) {
            boolean ours = c.getSubjectX500Principal().getName().equals("CN=" + CertificateSettings.CA_COMMON_NAME);
            boolean valid = c.getNotAfter().toInstant().isAfter(now);
            if (ours && valid && c.getNotBefore().toInstant().isAfter(newestOurs)) {
                return true;
            }
        }
        return false;
    }
}
