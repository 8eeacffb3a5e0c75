package io.podguard.tls.managed;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the manager keeps, and where.
 *
 * @param namespace the namespace of the Secret
 * @param secretName the Secret that holds the CA and the serving certificate, shared by every replica
 * @param mutatingWebhookConfiguration the MutatingWebhookConfiguration whose webhooks get the CA bundle; null for none
 * @param validatingWebhookConfiguration the ValidatingWebhookConfiguration whose webhooks get the CA bundle; null for none
 * @param dnsNames the names of the serving certificate (the Service's DNS names)
 * @param caValidity how long a new CA is valid
 * @param servingValidity how long a new serving certificate is valid (capped by the CA's remaining life)
 */
public record CertificateSettings(
        String namespace,
        String secretName,
        @Nullable String mutatingWebhookConfiguration,
        @Nullable String validatingWebhookConfiguration,
        List<String> dnsNames,
        Duration caValidity,
        Duration servingValidity) {

    /** The CA's common name: how an injected bundle's certificates are recognised as ours. */
    public static final String CA_COMMON_NAME = "podguard managed CA";

    public CertificateSettings {
        if (namespace.isBlank() || secretName.isBlank()) {
            throw new IllegalArgumentException("the managed certificate Secret needs a namespace and a name");
        }
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("the managed serving certificate needs at least one DNS name");
        }
        if (caValidity.compareTo(servingValidity) <= 0) {
            throw new IllegalArgumentException("the CA validity (" + caValidity + ") must exceed the serving certificate validity (" + servingValidity + ")");
        }
        if (servingValidity.toMinutes() < 3) {
            throw new IllegalArgumentException("the serving certificate validity must be at least 3 minutes, not " + servingValidity);
        }
        dnsNames = List.copyOf(dnsNames);
    }

    /** The webhook configuration names in use, mutating first. */
    public List<WebhookConfigurationRef> webhookConfigurations() {
        java.util.ArrayList<WebhookConfigurationRef> refs = new java.util.ArrayList<>(2);
        if (mutatingWebhookConfiguration != null && !mutatingWebhookConfiguration.isBlank()) {
            refs.add(new WebhookConfigurationRef(WebhookConfigurationRef.Kind.MUTATING, mutatingWebhookConfiguration));
        }
        if (validatingWebhookConfiguration != null && !validatingWebhookConfiguration.isBlank()) {
            refs.add(new WebhookConfigurationRef(WebhookConfigurationRef.Kind.VALIDATING, validatingWebhookConfiguration));
        }
        return refs;
    }
}
