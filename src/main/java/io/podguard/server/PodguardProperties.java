package io.podguard.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import io.podguard.admission.AdmissionReviewCodec;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * {@code podguard.*} settings.
 *
 * @param policyFile the policy file to follow; null for the embedded default
 * @param maxConcurrentReviews reviews evaluated at once; more wait (bounded by their timeout)
 * @param defaultTimeout the deadline of a review whose request names none ({@code ?timeout=})
 * @param shutdownDrainDelay how long to keep serving after readiness drops on shutdown
 * @param maxReviewBytes the largest request body accepted (default and most: the largest review the apiserver sends)
 * @param memoryBudget the heap reviews in flight may hold at once (default: a third of the maximum heap)
 * @param headTimeout the longest a connection may take for its TLS handshake and request head, in all
 * @param bodyTimeout the longest a request may take to send its body, in all
 * @param webhooks which namespaces the webhook configurations send to podguard
 */
@ConfigurationProperties("podguard")
public record PodguardProperties(
        @Nullable Path policyFile,
        @Nullable Integer maxConcurrentReviews,
        @Nullable Duration defaultTimeout,
        @Nullable Duration shutdownDrainDelay,
        @Nullable DataSize maxReviewBytes,
        @Nullable DataSize memoryBudget,
        @Nullable Duration headTimeout,
        @Nullable Duration bodyTimeout,
        @Nullable Tls tls,
        @Nullable Webhooks webhooks) {

    public PodguardProperties {
        maxConcurrentReviews = maxConcurrentReviews == null ? Math.max(2, Runtime.getRuntime().availableProcessors() * 2) : maxConcurrentReviews;
        defaultTimeout = defaultTimeout == null ? Duration.ofSeconds(10) : defaultTimeout;
        shutdownDrainDelay = shutdownDrainDelay == null ? Duration.ofSeconds(2) : shutdownDrainDelay;
        maxReviewBytes = maxReviewBytes == null ? DataSize.ofBytes(AdmissionReviewCodec.MAX_BODY_BYTES) : maxReviewBytes;
        if (maxReviewBytes.toBytes() < 1 || maxReviewBytes.toBytes() > AdmissionReviewCodec.MAX_BODY_BYTES) {
            // The decoder refuses a larger body anyway: accepting one here would read it whole only to answer 413.
            throw new IllegalArgumentException("podguard.max-review-bytes must be between 1 and " + AdmissionReviewCodec.MAX_BODY_BYTES
                    + " bytes (the largest review the apiserver sends), not " + maxReviewBytes.toBytes());
        }
        memoryBudget = memoryBudget == null ? DataSize.ofBytes(Runtime.getRuntime().maxMemory() / 3) : memoryBudget;
        headTimeout = headTimeout == null ? Duration.ofSeconds(10) : headTimeout;
        bodyTimeout = bodyTimeout == null ? Duration.ofSeconds(10) : bodyTimeout;
        tls = tls == null ? new Tls(null, null, null, null, null, null) : tls;
        webhooks = webhooks == null ? new Webhooks(null, null, null, null) : webhooks;
    }

    /**
     * @param certFile PEM serving certificate (chain); with keyFile, followed as it changes
     * @param keyFile PEM private key
     * @param clientCaFile PEM CA bundle: when set, clients must present a certificate it signed
     * @param certDir where a generated CA and serving certificate are written when no files are given
     * @param dnsNames extra names for the generated serving certificate
     * @param clientNames with a client CA: the names (DNS SAN or CN) a client certificate must carry; empty: any it signed
     */
    public record Tls(@Nullable Path certFile, @Nullable Path keyFile, @Nullable Path clientCaFile,
                      @Nullable Path certDir, @Nullable List<String> dnsNames, @Nullable List<String> clientNames) {

        public Tls {
            clientNames = clientNames == null ? List.of() : List.copyOf(clientNames);
        }
    }

    /**
     * The namespaces the webhook configurations select, as the chart renders them, so podguard
     * writes Events only where it judges, and guards the opt-out label.
     *
     * @param excludeNamespaces never sent to podguard
     * @param namespaceSelector the configurations' extra selector terms, as JSON ({@code {"matchLabels":…}}); empty: none
     * @param optOutLabel a namespace labelled with it ({@code =true}) is not sent to podguard; empty: no opt-out
     * @param optOutNamespaces the namespaces that may carry the opt-out label; any other is refused it
     */
    public record Webhooks(@Nullable List<String> excludeNamespaces, @Nullable String namespaceSelector,
                           @Nullable String optOutLabel, @Nullable List<String> optOutNamespaces) {

        public Webhooks {
            excludeNamespaces = excludeNamespaces == null ? List.of() : List.copyOf(excludeNamespaces);
            namespaceSelector = namespaceSelector == null ? "" : namespaceSelector.strip();
            optOutLabel = optOutLabel == null ? "" : optOutLabel.strip();
            optOutNamespaces = optOutNamespaces == null ? List.of() : List.copyOf(optOutNamespaces);
        }
    }
}
