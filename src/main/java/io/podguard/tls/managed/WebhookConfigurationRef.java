package io.podguard.tls.managed;

/** One webhook configuration whose webhooks get the CA bundle. */
public record WebhookConfigurationRef(Kind kind, String name) {

    public enum Kind {
        MUTATING("MutatingWebhookConfiguration"),
        VALIDATING("ValidatingWebhookConfiguration");

        private final String kubernetesKind;

        Kind(String kubernetesKind) {
            this.kubernetesKind = kubernetesKind;
        }

        public String kubernetesKind() {
            return kubernetesKind;
        }
    }

    @Override
    public String toString() {
        return kind.kubernetesKind() + " " + name;
    }
}
