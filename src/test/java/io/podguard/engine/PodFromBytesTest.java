package io.podguard.engine;

import io.podguard.testing.TextEdit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;

/**
 * A Pod sent as bytes is typed straight from them, its tree left unbuilt; it must read exactly as
 * the tree's reading reads it (the reference, {@link PodExtractor#extract(String, JsonNode)}):
 * the same kind, namespace, name, typed metadata and spec, the same JSON, or the same error.
 */
class PodFromBytesTest {

    private static final String POD = io.podguard.testing.Reviews.benchmarkPod();

    static Stream<String> pods() {
        List<String> pods = new ArrayList<>(List.of(
                POD,
                io.podguard.testing.Pods.RESTRICTED,
                io.podguard.testing.Pods.PRIVILEGED,
                "{}",
                "{\"metadata\":null,\"spec\":null}",
                "{\"metadata\":5}",
                "{\"spec\":[]}",
                "{\"spec\":\"x\",\"spec\":{}}",
                "{\"spec\":{},\"spec\":\"x\"}",
                "{\"metadata\":{\"name\":\"a\"},\"metadata\":null}",
                "{\"metadata\":{\"name\":\"a\",\"name\":\"b\",\"namespace\":\"n\"}}",
                "{\"metadata\":{\"name\":5,\"namespace\":true}}",
                "{\"metadata\":{\"name\":1.5,\"generateName\":\"g-\"}}",
                "{\"metadata\":{\"generateName\":\"g-\",\"namespace\":{}}}",
                "{\"metadata\":{\"name\":null,\"generateName\":\"g-\"}}",
                "{\"metadata\":{\"labels\":{\"a\":1,\"b\":true,\"c\":null}}}",
                "{\"metadata\":{\"annotations\":[\"x\"]}}",
                "{\"spec\":{\"containers\":[{\"name\":7,\"image\":false}]}}",
                "{\"spec\":{\"containers\":{\"name\":\"a\"}}}",
                "{\"spec\":{\"containers\":[null,{\"name\":\"a\"}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"a\",\"securityContext\":{\"runAsUser\":\"10\",\"privileged\":\"true\"}}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"a\",\"securityContext\":{\"runAsUser\":1.5,\"runAsGroup\":1e3}}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"a\",\"securityContext\":{\"runAsUser\":" + "9".repeat(40) + "}}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"a\",\"ports\":[{\"containerPort\":\"http\",\"hostPort\":-1}]}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":5,\"memory\":\"1Qi\"}}}]}}",
                "{\"spec\":{\"containers\":[{\"name\":\"a\",\"readinessProbe\":{\"httpGet\":{\"port\":true}}}]}}",
                "{\"spec\":{\"hostNetwork\":\"yes\",\"hostPID\":1,\"os\":{\"name\":5}}}",
                "{\"spec\":{\"securityContext\":{\"sysctls\":[{\"name\":\"a\"},5]}}}",
                "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"hostPath\":\"/\"}]}}",
                "{\"spec\":{\"futureField\":{\"deep\":[1,{\"x\":null}]},\"env\":5}}",
                "{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":{\"not\":\"a list\"},\"command\":7}]}}",
                "{\"kind\":\"Pod\",\"status\":{\"phase\":5},\"metadata\":{\"name\":\"s\"}}",
                "{\"metadata\":{\"name\":\"\\u00e9\\uD83D\\uDE00\"}}"));
        return pods.stream();
    }

    @ParameterizedTest
    @MethodSource("pods")
    void extractWhenPodBytesThenAsTheTree(String json) {
        assertSame(json);
    }

    @Property(tries = 300)
    void extractWhenPodEditedThenAsTheTree(@ForAll("edits") TextEdit edit) {
        String json = edit.apply(POD);
        // Only well-formed objects are sent as bytes (the review decoder reads them in full first).
        if (wellFormedObject(json)) {
            assertSame(json);
        }
    }

    @Test
    void extractWhenPodBytesThenTreeNotBuiltUntilAskedFor() {
        ObjectJson sent = bytes(POD);

        PodObject pod = PodExtractor.extract("Pod", sent).orElseThrow();

        assertThat(sent.toString()).isEqualTo(POD.strip());
        assertThat(pod.name()).isEqualTo("checkout-7d9c8b6f5d-");
        assertThat(pod.object()).isEqualTo(Json.mapper().readTree(POD));
        assertThat(pod.object()).isSameAs(pod.object());
    }

    @Test
    void readFullyWhenValueThenParserAfterIt() {
        byte[] bytes = "{\"a\":{\"b\":[1,\"x\",{\"c\":null}]},\"d\":2}".getBytes(StandardCharsets.UTF_8);
        try (JsonParser p = Json.mapper().createParser(bytes)) {
            p.nextToken();
            p.nextToken();
            p.nextToken();
            ObjectJson.readFully(p);
            assertThat(p.nextToken().isStructEnd()).isFalse();
            assertThat(p.currentName()).isEqualTo("d");
        }
    }

    @Provide
    Arbitrary<TextEdit> edits() {
        return TextEdit.of(POD, 12, "", "1", "true", "null", "\"x\"", "{}", "[]", "1.5", "-7", "\"name\":5,", "\"spec\":null,",
                "\"metadata\":{},", "\"a\":[1,{}],", "\"\\u00e9\"", "\"runAsUser\":\"1\",", "{\"k\":1}");
    }

    private static void assertSame(String json) {
        Object expected = outcome(() -> PodExtractor.extract("Pod", Json.mapper().readTree(json)).orElseThrow());
        Object actual = outcome(() -> PodExtractor.extract("Pod", bytes(json)).orElseThrow());
        assertThat(actual).isEqualTo(expected);
    }

    /** The pod read, with what it says of itself; or the error. */
    private static Object outcome(java.util.function.Supplier<PodObject> extract) {
        try {
            PodObject pod = extract.get();
            // The typed view as fabric8 writes it (a Quantity's equals throws on an amount it cannot parse).
            return List.of(pod.kind(), String.valueOf(pod.namespace()), String.valueOf(pod.name()), Json.serialization().asJson(pod.podMeta()),
                    Json.serialization().asJson(pod.podSpec()), pod.object(), pod.podPointer());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static ObjectJson bytes(String json) {
        // Inside a larger body, as the review decoder keeps it.
        byte[] inner = json.strip().getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[inner.length + 20];
        java.util.Arrays.fill(body, (byte) ' ');
        System.arraycopy(inner, 0, body, 10, inner.length);
        return ObjectJson.ofObjectBytes(body, 10, inner.length);
    }

    private static boolean wellFormedObject(String json) {
        try {
            return Json.mapper().readTree(json) instanceof JsonNode n && n.isObject();
        } catch (JacksonException e) {
            return false;
        }
    }

}
