package io.podguard.server;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code podguard.certs.managed.*}: podguard keeps its own CA and serving certificate in a
 * Secret and injects the CA bundle into its webhook configurations.
 *
 * @param enabled turns the feature on
 * @param namespace the Secret's namespace (default: {@code POD_NAMESPACE}, else the pod's service-account namespace)
 * @param secretName the Secret shared by every replica
 * @param mutatingWebhookConfiguration the MutatingWebhookConfiguration to inject into (none when blank)
 * @param validatingWebhookConfiguration the ValidatingWebhookConfiguration to inject into (none when blank)
 * @param dnsNames the serving certificate's names (the Service's DNS names)
 * @param caValidity how long a CA lasts (renewed at two thirds)
 * @param servingValidity how long a serving certificate lasts (renewed at two thirds)
 * @param checkInterval how often the Secret is read again (another replica may have renewed it)
 */
@ConfigurationProperties("podguard.certs.managed")
public record ManagedCertificatesProperties(
        boolean enabled,
        @Nullable String namespace,
        @Nullable String secretName,
        @Nullable String mutatingWebhookConfiguration,
        @Nullable String validatingWebhookConfiguration,
        @Nullable List<String> dnsNames,
        @Nullable Duration caValidity,
        @Nullable Duration servingValidity,
        @Nullable Duration checkInterval) {

    public ManagedCertificatesProperties {
        dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
        caValidity = caValidity == null ? Duration.ofDays(3650) : caValidity;
        servingValidity = servingValidity == null ? Duration.ofDays(365) : servingValidity;
        checkInterval = checkInterval == null ? Duration.ofMinutes(5) : checkInterval;
    }
}
