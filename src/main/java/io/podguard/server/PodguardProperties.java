package io.podguard.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code podguard.*} settings.
 *
 * @param policyFile the policy file to follow; null for the embedded default
 * @param maxConcurrentReviews reviews evaluated at once; more wait (bounded by their timeout)
 * @param defaultTimeout the deadline of a review whose request names none ({@code ?timeout=})
 * @param shutdownDrainDelay how long to keep serving after readiness drops on shutdown
 */
@ConfigurationProperties("podguard")
public record PodguardProperties(
        @Nullable Path policyFile,
        @Nullable Integer maxConcurrentReviews,
        @Nullable Duration defaultTimeout,
        @Nullable Duration shutdownDrainDelay,
        @Nullable Tls tls) {

    public PodguardProperties {
        maxConcurrentReviews = maxConcurrentReviews == null ? Math.max(2, Runtime.getRuntime().availableProcessors() * 2) : maxConcurrentReviews;
        defaultTimeout = defaultTimeout == null ? Duration.ofSeconds(10) : defaultTimeout;
        shutdownDrainDelay = shutdownDrainDelay == null ? Duration.ofSeconds(2) : shutdownDrainDelay;
        tls = tls == null ? new Tls(null, null, null, null, null) : tls;
    }

    /**
     * @param certFile PEM serving certificate (chain); with keyFile, followed as it changes
     * @param keyFile PEM private key
     * @param clientCaFile PEM CA bundle: when set, clients must present a certificate it signed
     * @param certDir where a generated CA and serving certificate are written when no files are given
     * @param dnsNames extra names for the generated serving certificate
     */
    public record Tls(@Nullable Path certFile, @Nullable Path keyFile, @Nullable Path clientCaFile,
                      @Nullable Path certDir, @Nullable List<String> dnsNames) {
    }
}
