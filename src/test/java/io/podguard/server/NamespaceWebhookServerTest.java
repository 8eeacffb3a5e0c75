package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Reviews;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code /namespaces/opt-out}: with an opt-out label configured, a Namespace may carry it only
 * when it is one of the namespaces allowed to opt out; whoever may label a namespace can no
 * longer take it out of the policy.
 */
@TestPropertySource(properties = {"podguard.webhooks.opt-out-label=podguard.io/ignore", "podguard.webhooks.opt-out-namespaces=sandbox,lab"})
class NamespaceWebhookServerTest extends WebhookServerTestSupport {

    static String namespace(String name, String labels) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels + "}}";
    }

    JsonNode review(String operation, String namespaceJson) throws Exception {
        String review = Reviews.review("admission.k8s.io/v1", operation, namespaceJson, false).replace("\"namespace\":\"default\",", "");
        HttpResponse<String> resp = post("/namespaces/opt-out", review);
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        return Reviews.response(resp.body());
    }

    @Test
    void optOutWhenNamespaceNotAllowedThenRefusedWithTheReason() throws Exception {
        for (String operation : new String[] {"CREATE", "UPDATE"}) {
            JsonNode r = review(operation, namespace("team-a", "{\"podguard.io/ignore\":\"true\",\"team\":\"a\"}"));

            assertThat(r.path("allowed").asBoolean()).isFalse();
            assertThat(r.path("status").path("code").asInt()).isEqualTo(403);
            assertThat(r.path("status").path("message").asString()).isEqualTo("namespace \"team-a\" may not carry the label "
                    + "podguard.io/ignore=true: it would take the namespace out of podguard's policy; only lab, sandbox may"
                    + " (the podguard chart's webhooks.optOut.namespaces)");
        }
    }

    @Test
    void optOutWhenAllowedOrNotOptingOutThenAllowed() throws Exception {
        assertThat(review("CREATE", namespace("sandbox", "{\"podguard.io/ignore\":\"true\"}")).path("allowed").asBoolean()).isTrue();
        assertThat(review("UPDATE", namespace("team-a", "{\"podguard.io/ignore\":\"false\"}")).path("allowed").asBoolean()).isTrue();
        // the label removed: the webhook sees the namespace because the old object carried it
        assertThat(review("UPDATE", namespace("team-a", "{\"team\":\"a\"}")).path("allowed").asBoolean()).isTrue();
        assertThat(review("DELETE", namespace("team-a", "{\"podguard.io/ignore\":\"true\"}")).path("allowed").asBoolean()).isTrue();
    }

    @Test
    void namespacesWhenNoHandlerAtThePathThenNotFound() throws Exception {
        HttpResponse<String> resp = post("/namespaces/pod-security", Reviews.create(namespace("team-a", "{}")));

        assertThat(resp.statusCode()).isEqualTo(404);
        assertThat(resp.body()).isEqualTo("no webhook at /namespaces/pod-security\n");
    }
}
