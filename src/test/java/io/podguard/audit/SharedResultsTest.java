package io.podguard.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.podguard.engine.Json;
import io.podguard.testing.SuppliedClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The leader's last audit in a ConfigMap: what the other replicas read is what it wrote. */
@EnableKubernetesMockClient(crud = true)
class SharedResultsTest {

    KubernetesClient client;

    static final Instant START = Instant.parse("2026-11-26T15:00:00Z");
    private final AtomicReference<Instant> now = new AtomicReference<>(START);
    private final Clock clock = new SuppliedClock(now::get);


    private SharedResults shared() {
        return new SharedResults(client, "podguard", "podguard-audit", Duration.ofSeconds(5), clock);
    }

    @Test
    void readWhenTheLeaderPublishedThenAnotherReplicaReadsTheSameDocument() {
        ObjectNode document = (ObjectNode) Json.mapper().readTree("""
                {"status":"ok","auditedBy":"podguard-a_1","finishedAt":"2026-11-26T14:59:00Z","totals":{"namespaces":1,"pods":2,"wouldBeDenied":1},
                 "namespaces":{"team-a":{"pods":2,"wouldBeDenied":1,"deniedPods":[{"name":"web-1"}]}}}""");

        assertThat(shared().publish(document, document)).isFalse();
        ObjectNode read = shared().read();

        assertThat(read).isEqualTo(document);
        ConfigMap stored = client.configMaps().inNamespace("podguard").withName("podguard-audit").get();
        assertThat(stored.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "podguard");
        assertThat(stored.getBinaryData()).containsOnlyKeys("audit.json.gz");
    }

    @Test
    void readWhenNothingWasSharedThenNull() {
        assertThat(shared().read()).isNull();
    }

    @Test
    void readWhenReadLessThanMaxAgeAgoThenNotReadAgain() {
        ObjectNode first = (ObjectNode) Json.mapper().readTree("{\"status\":\"ok\",\"finishedAt\":\"1\"}");
        ObjectNode second = (ObjectNode) Json.mapper().readTree("{\"status\":\"ok\",\"finishedAt\":\"2\"}");
        shared().publish(first, first);
        SharedResults follower = shared();
        assertThat(follower.read()).isEqualTo(first);

        shared().publish(second, second);
        now.updateAndGet(t -> t.plusSeconds(4));
        assertThat(follower.read()).as("cached for 5 s").isEqualTo(first);
        now.updateAndGet(t -> t.plusSeconds(1));
        assertThat(follower.read()).isEqualTo(second);
        assertThat(follower.cached()).isEqualTo(second);
    }

    @Test
    void publishWhenTheDocumentIsTooLargeThenTheSummaryIsSharedAndSaysSo() {
        // Random pod names do not compress: well over a mebibyte gzipped.
        ObjectNode document = Json.mapper().createObjectNode();
        document.put("status", "ok");
        var pods = document.putObject("namespaces").putObject("team-a").putArray("deniedPods");
        Random random = new Random(1);
        for (int i = 0; i < 60_000; i++) {
            pods.addObject().put("name", Long.toString(random.nextLong(), 36) + Long.toString(random.nextLong(), 36));
        }
        ObjectNode summary = (ObjectNode) Json.mapper().readTree("{\"status\":\"ok\",\"namespaces\":{\"team-a\":{\"pods\":60000}}}");

        assertThat(shared().publish(document, summary)).isTrue();

        assertThat(shared().read().toString()).isEqualTo("{\"status\":\"ok\",\"namespaces\":{\"team-a\":{\"pods\":60000}},\"deniedPodsOmitted\":true}");
        String data = client.configMaps().inNamespace("podguard").withName("podguard-audit").get().getBinaryData().get("audit.json.gz");
        assertThat(Base64.getDecoder().decode(data).length).isLessThan(SharedResults.MAX_BYTES);
    }

    @Test
    void readWhenTheConfigMapHoldsSomethingElseThenAClearError() {
        client.configMaps().inNamespace("podguard").resource(new ConfigMapBuilder().withNewMetadata().withName("podguard-audit").endMetadata()
                .addToBinaryData("audit.json.gz", Base64.getEncoder().encodeToString("not gzip".getBytes())).build()).create();

        assertThatThrownBy(() -> shared().read()).isInstanceOf(KubernetesClientException.class)
                .hasMessage("ConfigMap podguard/podguard-audit holds no readable audit (UncheckedIOException)");
    }
}
