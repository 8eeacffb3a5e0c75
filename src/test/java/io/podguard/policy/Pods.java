package io.podguard.policy;

import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import tools.jackson.databind.JsonNode;

/** Test pods, from JSON text. */
public final class Pods {

    private Pods() {
    }

    public static PodObject pod(String json) {
        JsonNode node = Json.mapper().readTree(json);
        return PodExtractor.extract(node.get("kind").asString(), node).orElseThrow();
    }

    /** A pod in {@code namespace} with a privileged istio proxy first and an app container second. */
    public static PodObject sidecarPod(String namespace, boolean appPrivileged) {
        return pod("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"%s"},
                 "spec":{"serviceAccountName":"web","containers":[
                   {"name":"istio-proxy","image":"docker.io/istio/proxyv2:1.24.0","securityContext":{"privileged":true}},
                   {"name":"app","image":"registry.example/app:1","securityContext":{"privileged":%s}}]}}
                """.formatted(namespace, appPrivileged));
    }
}
