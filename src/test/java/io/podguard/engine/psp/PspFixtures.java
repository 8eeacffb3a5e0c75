package io.podguard.engine.psp;

import io.fabric8.kubernetes.api.model.policy.v1beta1.PodSecurityPolicy;
import io.podguard.engine.ContainerRef;
import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Builds policies and pods from YAML for the PSP tests. */
final class PspFixtures {

    static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** Upstream's test default: every strategy RunAsAny, everything else unset. */
    static final String PERMISSIVE = """
            apiVersion: policy/v1beta1
            kind: PodSecurityPolicy
            metadata:
              name: psp
            spec:
              runAsUser: {rule: RunAsAny}
              seLinux: {rule: RunAsAny}
              supplementalGroups: {rule: RunAsAny}
              fsGroup: {rule: RunAsAny}
              volumes: ['*']
            """;

    /** A pod with one container {@code app} and an empty pod security context. */
    static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: pod
              namespace: default
            spec:
              securityContext: {}
              containers:
              - name: app
                image: nginx
                securityContext: {}
            """;

    private PspFixtures() {
    }

    static ObjectNode yaml(String yaml) {
        return (ObjectNode) YAML.readTree(yaml);
    }

    /** The permissive policy named {@code name} with {@code overlay} merged into it (objects merged, the rest replaced). */
    static PodSecurityPolicy policy(String name, String overlay) {
        ObjectNode base = yaml(PERMISSIVE);
        ((ObjectNode) base.get("metadata")).put("name", name);
        if (!overlay.isBlank()) {
            merge(base, yaml(overlay));
        }
        return Json.convert(base, PodSecurityPolicy.class);
    }

    static PspProvider provider(String overlay) {
        return provider("psp", overlay);
    }

    static PspProvider provider(String name, String overlay) {
        return PspSet.of(List.of(policy(name, overlay))).providers().getFirst();
    }

    /** The default pod with {@code overlay} merged in (lists replace). */
    static PodObject pod(String overlay) {
        ObjectNode base = yaml(POD);
        if (!overlay.isBlank()) {
            merge(base, yaml(overlay));
        }
        return podObject(base);
    }

    static PodObject podObject(ObjectNode object) {
        String kind = object.get("kind").asString();
        return PodExtractor.extract(kind, object).orElseThrow();
    }

    /** The rendered errors of the pod under one policy, as it is (no defaulting). */
    static List<String> errors(PspProvider provider, PodObject pod) {
        return provider.validate(new PodJson(pod.podNode().deepCopy()), ContainerRef.all(pod.podSpec()))
                .stream().map(FieldError::toString).toList();
    }

    /** The pod's own JSON after the policy's defaults. */
    static ObjectNode mutated(PspProvider provider, PodObject pod) {
        ObjectNode copy = pod.podNode().deepCopy();
        provider.mutate(new PodJson(copy), ContainerRef.all(pod.podSpec()));
        return copy;
    }

    static void merge(ObjectNode target, JsonNode overlay) {
        for (Map.Entry<String, JsonNode> e : overlay.properties()) {
            JsonNode existing = target.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }
}
