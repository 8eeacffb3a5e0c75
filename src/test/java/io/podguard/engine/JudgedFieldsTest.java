package io.podguard.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The fields the typed view leaves out are read by no code in typed form, and nothing else is left out. */
class JudgedFieldsTest {

    static Set<String> skipped(Class<?> mixin) {
        return Set.of(mixin.getAnnotation(JsonIgnoreProperties.class).value());
    }

    /** {@code json} without the fields the typed view leaves out: what it must be typed as. */
    static JsonNode withoutSkipped(JsonNode pod) {
        ObjectNode copy = (ObjectNode) pod.deepCopy();
        if (copy.get("metadata") instanceof ObjectNode meta) {
            meta.remove(skipped(JudgedFields.ObjectMetaFields.class));
        }
        if (copy.get("spec") instanceof ObjectNode spec) {
            spec.remove(skipped(JudgedFields.PodSpecFields.class));
            for (String list : List.of("containers", "initContainers", "ephemeralContainers")) {
                spec.path(list).forEach(c -> {
                    if (c instanceof ObjectNode container) {
                        container.remove(skipped(JudgedFields.ContainerFields.class));
                    }
                });
            }
        }
        return copy;
    }

    @Test
    void typedViewWhenFieldLeftOutThenNoCodeReadsItTyped() throws IOException {
        Set<String> getters = new TreeSet<>();
        for (Class<?> mixin : List.of(JudgedFields.ContainerFields.class, JudgedFields.PodSpecFields.class, JudgedFields.ObjectMetaFields.class)) {
            for (String field : skipped(mixin)) {
                getters.add(".get" + Character.toUpperCase(field.charAt(0)) + field.substring(1) + "()");
            }
        }
        List<String> readers = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                // ContainerRef copies an ephemeral container's common fields, whatever they hold
                if (file.endsWith("ContainerRef.java")) {
                    continue;
                }
                String text = Files.readString(file);
                for (String getter : getters) {
                    // a webhook rule's resources (RuleWithOperations), not a container's
                    if (file.endsWith("AdmissionPolicyBinding.java") && getter.equals(".getResources()")) {
                        continue;
                    }
                    if (text.contains(getter)) {
                        readers.add(file.getFileName() + " " + getter);
                    }
                }
            }
        }

        assertThat(readers).as("typed reads of fields the typed view leaves out (read the JSON, or bind the field again)").isEmpty();
        assertThat(getters).contains(".getEnv()", ".getAffinity()", ".getTolerations()", ".getManagedFields()", ".getResources()");
    }

    @Test
    void extractWhenPodHasSkippedFieldsThenTypedViewOmitsThemAndKeepsTheRest() {
        JsonNode pod = Json.mapper().readTree("""
                {"kind":"Pod","metadata":{"name":"p","managedFields":[{"manager":"kubectl"}],"labels":{"a":"b"}},
                 "spec":{"containers":[{"name":"c","image":"i","env":[{"name":"X","value":"1"}],"command":["sh"],
                   "securityContext":{"privileged":true},"ports":[{"containerPort":80,"hostPort":80}]}],
                  "tolerations":[{"key":"k","operator":"Exists"}],"affinity":{"nodeAffinity":{}},"hostNetwork":true}}""");

        PodObject typed = PodExtractor.extract("Pod", pod).orElseThrow();

        assertThat(typed.podSpec().getContainers().getFirst().getEnv()).isEmpty();
        assertThat(typed.podSpec().getTolerations()).isEmpty();
        assertThat(typed.podSpec().getAffinity()).isNull();
        assertThat(typed.podMeta().getManagedFields()).isEmpty();
        assertThat(typed.podSpec().getContainers().getFirst().getSecurityContext().getPrivileged()).isTrue();
        assertThat(typed.podSpec().getContainers().getFirst().getPorts().getFirst().getHostPort()).isEqualTo(80);
        assertThat(typed.podSpec().getHostNetwork()).isTrue();
        assertThat(typed.podMeta().getLabels()).containsEntry("a", "b");
        assertThat(typed.podSpec().getAdditionalProperties()).isEmpty();
        assertThat(typed.podNode().at("/spec/tolerations/0/key").asString()).isEqualTo("k");
    }
}
