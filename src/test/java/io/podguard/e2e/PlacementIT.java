package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Placement against the real apiserver. A namespace carries the annotations of kube-apiserver's
 * PodNodeSelector and PodTolerationRestriction plugins, and the policy says
 * {@code placement.namespaceAnnotations: true}: a bare pod is stored with the namespace's node
 * selector and default tolerations; a pod whose selector conflicts, or with a toleration the
 * namespace does not allow, is refused with the plugin's own message. {@code spec.nodeName} is
 * refused for an ordinary user and allowed for an exempt one (both impersonated by the suite's
 * admin, with RBAC to create pods).
 */
class PlacementIT extends ClusterTest {

    static final String POLICY = """
            apiVersion: podguard.io/v1alpha1
            kind: PodGuardPolicy
            mode: enforce
            podSecurity: {level: baseline, version: latest}
            placement:
              namespaceAnnotations: true
              nodeName: {}
            exemptions:
              - reason: the batch scheduler of the e2e suite binds its own pods
                usernames: [e2e-batch-scheduler]
                checks: [placement.nodeName]
            """;
    /** As the plugins read them: the namespace's selector, its default tolerations, and its whitelist. */
    static final Map<String, String> ANNOTATIONS = Map.of(
            "scheduler.alpha.kubernetes.io/node-selector", "team=ml",
            "scheduler.alpha.kubernetes.io/defaultTolerations",
            "[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"ml\",\"effect\":\"NoSchedule\"}]",
            // The apiserver's DefaultTolerationSeconds adds the first two to every pod; podguard adds
            // the memory-pressure one to every pod that is not BestEffort, as the plugin does.
            "scheduler.alpha.kubernetes.io/tolerationsWhitelist", """
                    [{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute"},
                     {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute"},
                     {"key":"node.kubernetes.io/memory-pressure","operator":"Exists","effect":"NoSchedule"},
                     {"key":"dedicated","operator":"Equal","value":"ml","effect":"NoSchedule"}]""");

    private static Podguard podguard;

    @BeforeAll
    static void register() {
        podguard = Podguard.start("placement", POLICY);
        WebhookConfigurations.register(client, podguard, FailurePolicy.Fail);
    }

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
        if (podguard != null) {
            podguard.stop();
        }
    }

    @Test
    void barePodWhenNamespaceAnnotatedThenStoredWithItsSelectorAndTolerations() {
        String ns = annotatedNamespace();

        Pod stored = client.pods().inNamespace(ns).resource(Manifests.barePod("train")).create();

        assertThat(stored.getSpec().getNodeSelector()).isEqualTo(Map.of("team", "ml"));
        assertThat(stored.getSpec().getTolerations()).containsExactly(
                toleration("node.kubernetes.io/not-ready", "Exists", null, "NoExecute", 300L),
                toleration("node.kubernetes.io/unreachable", "Exists", null, "NoExecute", 300L),
                toleration("dedicated", "Equal", "ml", "NoSchedule", null),
                toleration("node.kubernetes.io/memory-pressure", "Exists", null, "NoSchedule", null));
        // In the one patch with the other defaults, and said in the pod's record of them.
        assertThat(stored.getMetadata().getAnnotations().get("podguard.io/defaults")).startsWith("resources (container app), ")
                .endsWith("placement.nodeSelector (team=ml), "
                        + "placement.tolerations (dedicated=ml:NoSchedule, node.kubernetes.io/memory-pressure:NoSchedule)");
    }

    @Test
    void podWhenSelectorConflictsWithTheNamespacesThenRefusedWithThePluginsMessage() {
        String ns = annotatedNamespace();
        Pod pod = new PodBuilder(Manifests.barePod("web")).editSpec().withNodeSelector(Map.of("team", "web")).endSpec().build();

        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(pod).create());

        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getStatus().getMessage()).isEqualTo("admission webhook \"" + WebhookConfigurations.VALIDATING_WEBHOOK
                + "\" denied the request: pod node label selector conflicts with its namespace node label selector");
    }

    @Test
    void podWhenTolerationNotWhitelistedThenRefusedWithThePluginsMessage() {
        String ns = annotatedNamespace();
        Pod pod = new PodBuilder(Manifests.barePod("gpu")).editSpec()
                .withTolerations(toleration("nvidia.com/gpu", "Exists", null, "NoSchedule", null)).endSpec().build();

        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(pod).create());

        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getStatus().getMessage()).isEqualTo("admission webhook \"" + WebhookConfigurations.VALIDATING_WEBHOOK
                + "\" denied the request: pod tolerations (possibly merged with namespace default tolerations) conflict with its namespace whitelist");
    }

    @Test
    void podUpdateWhenItAddsATolerationOutsideTheWhitelistThenRefusedAsThePluginRefusesIt() {
        String ns = annotatedNamespace();
        client.pods().inNamespace(ns).resource(Manifests.barePod("later")).create();

        KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class, () -> client.pods().inNamespace(ns)
                .withName("later").edit(p -> new PodBuilder(p).editSpec()
                        .addToTolerations(toleration("nvidia.com/gpu", "Exists", null, "NoSchedule", null)).endSpec().build()));

        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getStatus().getMessage()).isEqualTo("admission webhook \"" + WebhookConfigurations.VALIDATING_WEBHOOK
                + "\" denied the request: pod tolerations (possibly merged with namespace default tolerations) conflict with its namespace whitelist");
        // A whitelisted one may be added.
        Pod updated = client.pods().inNamespace(ns).withName("later").edit(p -> new PodBuilder(p).editSpec()
                .addToTolerations(toleration("node.kubernetes.io/not-ready", "Exists", null, "NoExecute", 60L)).endSpec().build());
        assertThat(updated.getSpec().getTolerations()).hasSize(5);
    }

    @Test
    void nodeNameWhenOrdinaryUserThenRefusedAndWhenExemptUserThenStored() {
        String ns = Namespaces.create(client, "placement-node");
        grantPods(ns, "e2e-developer", "e2e-batch-scheduler");
        Pod pinned = new PodBuilder(Manifests.barePod("pinned")).editSpec().withNodeName("worker-1").endSpec().build();
        // A status that says "already placed" does not help: the apiserver resets it before validation.
        Pod disguised = new PodBuilder(pinned).withNewStatus().addNewCondition().withType("PodScheduled").withStatus("True").endCondition()
                .withStartTime("2026-01-01T00:00:00Z").endStatus().build();

        KubernetesClientException e;
        try (KubernetesClient developer = impersonating("e2e-developer")) {
            e = catchThrowableOfType(KubernetesClientException.class, () -> developer.pods().inNamespace(ns).resource(disguised).create());
        }
        Pod stored;
        try (KubernetesClient scheduler = impersonating("e2e-batch-scheduler")) {
            stored = scheduler.pods().inNamespace(ns).resource(pinned).create();
        }

        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getStatus().getMessage()).isEqualTo("admission webhook \"" + WebhookConfigurations.VALIDATING_WEBHOOK
                + "\" denied the request: violates placement rules: nodeName (pod must not set spec.nodeName=\"worker-1\": "
                + "it bypasses the scheduler and every node taint)");
        assertThat(stored.getSpec().getNodeName()).isEqualTo("worker-1");
        JsonNode event = new AuditLog(cluster.auditLog()).event("create", "pods", ns, "pinned").orElseThrow();
        assertThat(event.path("impersonatedUser").path("username").asString()).isEqualTo("e2e-batch-scheduler");
        assertThat(event.path("annotations").path(WebhookConfigurations.VALIDATING_WEBHOOK + "/exempt").asString())
                .isEqualTo("the batch scheduler of the e2e suite binds its own pods");
    }

    private static String annotatedNamespace() {
        String name = "placement-ml-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30, 1L << 35), 36);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withAnnotations(ANNOTATIONS).endMetadata()
                .build()).create();
        return name;
    }

    /**
     * A role to create and read pods in {@code namespace} for {@code users} (the built-in {@code edit}
     * role is aggregated by the controller manager, which this cluster does not run).
     */
    private static void grantPods(String namespace, String... users) {
        client.rbac().roles().inNamespace(namespace).resource(new RoleBuilder().withNewMetadata().withName("e2e-pods").endMetadata()
                .addNewRule().withApiGroups("").withResources("pods").withVerbs("create", "get", "list").endRule().build()).create();
        RoleBindingBuilder binding = new RoleBindingBuilder().withNewMetadata().withName("e2e-pods").withNamespace(namespace).endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "e2e-pods");
        for (String user : users) {
            binding.addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(user).endSubject();
        }
        client.rbac().roleBindings().inNamespace(namespace).resource(binding.build()).create();
    }

    /** A client of the suite's admin acting as {@code user} (the admin is allowed to impersonate). */
    private static KubernetesClient impersonating(String user) {
        try {
            Config config = Config.fromKubeconfig(Files.readString(cluster.kubeconfig()));
            config.setImpersonateUsername(user);
            config.setImpersonateGroups("system:authenticated");
            config.setRequestRetryBackoffLimit(0);
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Toleration toleration(String key, String operator, String value, String effect, Long seconds) {
        Toleration t = new Toleration();
        t.setKey(key);
        t.setOperator(operator);
        t.setValue(value);
        t.setEffect(effect);
        t.setTolerationSeconds(seconds);
        return t;
    }
}
