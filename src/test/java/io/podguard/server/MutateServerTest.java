package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Reviews;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** /mutate over HTTPS on the real server, and its mutation counter on /metrics. */
class MutateServerTest extends WebhookServerTestSupport {

    private static final String BARE_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"bare","namespace":"default"},
             "spec":{"containers":[{"name":"app","image":"nginx","ports":[{"containerPort":80,"name":"http"}]}]}}""";
    private static final Pattern RESOURCES_COUNT =
            Pattern.compile("(?m)^podguard_mutations_total\\{application=\"podguard\",defaulter=\"resources\"} (\\d+)\\.0$");

    @Test
    void mutateWhenBarePodThenJsonPatchAndMutationCounted() throws Exception {
        long before = resourcesCount();

        JsonNode response = Reviews.response(post("/mutate", Reviews.create(BARE_POD)).body());

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asString()).isEqualTo("JSONPatch");
        assertThat(Reviews.patch(response).toString()).contains(
                "{\"op\":\"add\",\"path\":\"/spec/containers/0/readinessProbe\",\"value\":{\"tcpSocket\":{\"port\":\"http\"}}}");
        assertThat(resourcesCount()).isEqualTo(before + 1);
    }

    private long resourcesCount() throws Exception {
        Matcher m = RESOURCES_COUNT.matcher(getManagement("/metrics").body());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
