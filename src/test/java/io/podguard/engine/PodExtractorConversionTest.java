package io.podguard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The pod's typed view is read straight from the tree with prebuilt readers; it must be exactly
 * what fabric8's own {@code convertValue} makes of the same JSON without the fields it leaves out
 * ({@link JudgedFields}).
 */
class PodExtractorConversionTest {

    static Stream<String> pods() throws IOException {
        return Stream.of(
                io.podguard.testing.Reviews.benchmarkPod(),
                io.podguard.testing.Pods.RESTRICTED,
                io.podguard.testing.Pods.PRIVILEGED,
                """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"odd","labels":{"a":"b"},"x-unknown":{"k":[1,2]}},
                 "spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":8080}],
                   "resources":{"limits":{"cpu":"1500m","memory":"1Gi"}},
                   "readinessProbe":{"httpGet":{"port":"http"}},"livenessProbe":{"tcpSocket":{"port":80}},
                   "futureField":true}],
                  "volumes":[{"name":"v","hostPath":{"path":"/var"}}],
                  "securityContext":{"sysctls":[{"name":"net.ipv4.ping_group_range","value":"0 1"}]},
                  "hostUsers":false,"notYetInFabric8":{"deep":{"er":null}}}}""");
    }

    @ParameterizedTest
    @MethodSource("pods")
    void extractWhenPodThenTypedViewEqualsFabric8Conversion(String json) {
        JsonNode pod = Json.mapper().readTree(json);

        PodObject extracted = PodExtractor.extract("Pod", pod).orElseThrow();

        JsonNode judged = JudgedFieldsTest.withoutSkipped(pod);
        assertThat(extracted.podSpec()).isEqualTo(Json.serialization().convertValue(judged.get("spec"), PodSpec.class));
        assertThat(extracted.podMeta()).isEqualTo(Json.serialization().convertValue(judged.get("metadata"), ObjectMeta.class));
    }

    @Test
    void extractWhenBenchmarkPodThenQuantitiesPortsAndUnknownFieldsAreRead() throws IOException {
        JsonNode pod = Json.mapper().readTree(io.podguard.testing.Reviews.benchmarkPod());

        PodSpec spec = PodExtractor.extract("Pod", pod).orElseThrow().podSpec();

        assertThat(spec.getContainers()).extracting(c -> c.getName()).containsExactly("checkout", "envoy");
        assertThat(spec.getInitContainers()).extracting(c -> c.getName()).containsExactly("migrate");
        // Resources are read from the JSON (resource rules, defaults), not typed.
        assertThat(spec.getContainers().getFirst().getResources()).isNull();
        assertThat(spec.getVolumes().get(2).getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("256Mi"));
        assertThat(spec.getContainers().getFirst().getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(spec.getVolumes()).hasSize(4);
    }

    @Test
    void extractWhenFieldHasWrongTypeThenOneLineError() {
        JsonNode pod = Json.mapper().readTree("""
                {"kind":"Pod","metadata":{"name":"x"},"spec":{"containers":"not a list"}}""");

        assertThatThrownBy(() -> PodExtractor.extract("Pod", pod))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("object is not a valid Pod: ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void extractWhenDeploymentThenTemplateIsTyped() {
        JsonNode deployment = Json.mapper().readTree("""
                {"kind":"Deployment","metadata":{"name":"web","namespace":"shop"},
                 "spec":{"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}""");

        PodObject pod = PodExtractor.extract("Deployment", deployment).orElseThrow();

        assertThat(pod.podMeta().getLabels()).containsEntry("app", "web");
        assertThat(pod.podSpec().getContainers()).extracting(c -> c.getImage()).containsExactly("i");
        assertThat(pod.namespace()).isEqualTo("shop");
        assertThat(pod.name()).isEqualTo("web");
    }
}
