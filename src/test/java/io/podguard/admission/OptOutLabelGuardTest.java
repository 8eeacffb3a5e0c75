package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OptOutLabelGuardTest {

    private static final OptOutLabelGuard GUARD = new OptOutLabelGuard("podguard.io/ignore", Set.of());

    private static JsonNode answer(String kind, String object) throws Exception {
        String review = Reviews.create(object);
        return Reviews.response(NamespaceHandler.handle(GUARD, review.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void handleWhenNoNamespaceMayOptOutThenEveryLabelledNamespaceRefused() throws Exception {
        JsonNode r = answer("Namespace", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"x\",\"labels\":{\"podguard.io/ignore\":\"true\"}}}");

        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(r.path("status").path("message").asString()).isEqualTo("namespace \"x\" may not carry the label podguard.io/ignore=true:"
                + " it would take the namespace out of podguard's policy; no namespace may (the podguard chart's webhooks.optOut.namespaces)");
    }

    @Test
    void handleWhenNotANamespaceThenAllowedUntouched() throws Exception {
        JsonNode r = answer("Pod", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"labels\":{\"podguard.io/ignore\":\"true\"}},\"spec\":{}}");

        assertThat(r.path("allowed").asBoolean()).isTrue();
    }

    @Test
    void handleWhenLabelValueIsNotTrueThenAllowed() throws Exception {
        JsonNode r = answer("Namespace", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"x\",\"labels\":{\"podguard.io/ignore\":\"yes\"}}}");

        assertThat(r.path("allowed").asBoolean()).isTrue();
    }
}
