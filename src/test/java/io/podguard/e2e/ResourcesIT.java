package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatusBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resources the way the cluster sees them, against the real apiserver (LimitRanger and
 * ResourceQuota admission on, as in a real cluster): podguard's caches of LimitRanges and
 * ResourceQuotas, its defaults within a namespace's LimitRange and filling in what its quota
 * tracks; the same bare pod without podguard refused by the quota; a GPU requested by its limit
 * alone stored with request = limit and ExtendedResourceToleration's toleration; an in-place
 * resize above the maximum refused ({@code pods/resize} registered as the chart registers it).
 */
class ResourcesIT extends ClusterTest {

    static final String POLICY = """
            apiVersion: podguard.io/v1alpha1
            kind: PodGuardPolicy
            mode: enforce
            podSecurity: {level: baseline, version: latest}
            placement:
              extendedResourceTolerations: {}
            namespaces:
              - names: [resize-*]
                resources: {max: {cpu: "2"}}
            """;

    private static Podguard podguard;

    @BeforeAll
    static void register() {
        podguard = Podguard.start("resources", POLICY, List.of("--podguard.namespace-resources.watch=always"));
        WebhookConfigurations.register(client, podguard, FailurePolicy.Fail);
    }

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
        if (podguard != null) {
            podguard.stop();
        }
    }

    /** A LimitRange with min, max and default, and a quota on limits.cpu, requests.memory and requests.ephemeral-storage. */
    private static void limitedAndQuotaed(String ns) {
        client.limitRanges().inNamespace(ns).resource(new LimitRangeBuilder().withNewMetadata().withName("bounds").endMetadata()
                .withNewSpec().addNewLimit().withType("Container")
                .withMin(Map.of("cpu", new Quantity("200m"), "memory", new Quantity("64Mi")))
                .withMax(Map.of("memory", new Quantity("512Mi")))
                .withDefault(Map.of("memory", new Quantity("256Mi")))
                .withDefaultRequest(Map.of("memory", new Quantity("128Mi")))
                .endLimit().endSpec().build()).create();
        Map<String, Quantity> hard = Map.of("limits.cpu", new Quantity("4"), "requests.memory", new Quantity("2Gi"),
                "requests.ephemeral-storage", new Quantity("10Gi"));
        ResourceQuota quota = client.resourceQuotas().inNamespace(ns).resource(new ResourceQuotaBuilder().withNewMetadata().withName("compute")
                .endMetadata().withNewSpec().withHard(hard).endSpec().build()).create();
        // What the quota controller (there is no controller manager here) writes: quota admission enforces the status
        quota.setStatus(new ResourceQuotaStatusBuilder().withHard(hard)
                .withUsed(Map.of("limits.cpu", new Quantity("0"), "requests.memory", new Quantity("0"), "requests.ephemeral-storage", new Quantity("0")))
                .build());
        client.resourceQuotas().inNamespace(ns).resource(quota).updateStatus();
    }

    @Test
    void barePodInANamespaceWithALimitRangeAndAQuotaIsStoredWithinTheLimitRangeWithWhatTheQuotaNeeds() {
        String ns = Namespaces.create(client, "quota");
        limitedAndQuotaed(ns);

        Pod stored = createWhenKnown(ns, Manifests.barePod("bare"));

        ResourceRequirements r = stored.getSpec().getContainers().getFirst().getResources();
        // LimitRanger (before the webhooks): cpu request 200m (its min), memory 128Mi/256Mi (its defaults);
        // podguard: the cpu limit the quota needs (the request), an ephemeral-storage request the quota counts
        assertThat(r.getRequests()).containsOnly(Map.entry("cpu", new Quantity("200m")), Map.entry("memory", new Quantity("128Mi")),
                Map.entry("ephemeral-storage", new Quantity("256Mi")));
        assertThat(r.getLimits()).containsOnly(Map.entry("cpu", new Quantity("200m")), Map.entry("memory", new Quantity("256Mi")));
        LimitRange lr = client.limitRanges().inNamespace(ns).withName("bounds").get();
        assertThat(Quantity.getAmountInBytes(r.getRequests().get("cpu")))
                .isGreaterThanOrEqualTo(Quantity.getAmountInBytes(lr.getSpec().getLimits().getFirst().getMin().get("cpu")));
        assertThat(stored.getMetadata().getAnnotations())
                .containsEntry("podguard.io/defaults", "resources (container app: limits.cpu for ResourceQuota compute; "
                        + "requests.ephemeral-storage for ResourceQuota compute), readinessProbe (container app), preStop (container app), "
                        + "preStop (terminationGracePeriodSeconds 30 to 35), securityContext (container app), securityContext (pod)")
                .containsEntry("kubernetes.io/limit-ranger", "LimitRanger plugin set: cpu, memory request for container app; memory limit for container app");
    }

    @Test
    void theSameBarePodWithoutPodguardIsRefusedByTheQuota() {
        String ns = Namespaces.create(client, "quota-unwatched", Map.of(WebhookConfigurations.UNWATCHED_LABEL, "true"));
        limitedAndQuotaed(ns);

        KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(Manifests.barePod("bare")).create());

        assertThat(refused.getCode()).isEqualTo(403);
        assertThat(refused.getStatus().getMessage()).isEqualTo(
                "pods \"bare\" is forbidden: failed quota: compute: must specify limits.cpu for: app");
    }

    /** A quota on limits.cpu scoped to terminating pods (activeDeadlineSeconds set): the quota admission holds no other pod to it. */
    private static void terminatingQuota(String ns) {
        Map<String, Quantity> hard = Map.of("limits.cpu", new Quantity("4"));
        ResourceQuota quota = client.resourceQuotas().inNamespace(ns).resource(new ResourceQuotaBuilder().withNewMetadata().withName("batch")
                .endMetadata().withNewSpec().withHard(hard).withScopes("Terminating").endSpec().build()).create();
        quota.setStatus(new ResourceQuotaStatusBuilder().withHard(hard).withUsed(Map.of("limits.cpu", new Quantity("0"))).build());
        client.resourceQuotas().inNamespace(ns).resource(quota).updateStatus();
    }

    private static Pod terminating(String name) {
        Pod pod = Manifests.barePod(name);
        pod.getSpec().setActiveDeadlineSeconds(600L);
        return pod;
    }

    @Test
    void quotaScopedToTerminatingPodsGetsItsLimitFilledOnTerminatingPodsOnly() {
        String ns = Namespaces.create(client, "quota-scoped");
        terminatingQuota(ns);

        Pod job = createWhenKnown(ns, terminating("job"), "batch");
        Pod bare = client.pods().inNamespace(ns).resource(Manifests.barePod("bare")).create();

        assertThat(job.getSpec().getContainers().getFirst().getResources().getLimits()).containsEntry("cpu", new Quantity("100m"));
        assertThat(job.getMetadata().getAnnotations().get("podguard.io/defaults"))
                .startsWith("resources (container app: limits.cpu for ResourceQuota batch), ");
        assertThat(bare.getSpec().getContainers().getFirst().getResources().getLimits()).doesNotContainKey("cpu");
        assertThat(bare.getMetadata().getAnnotations().get("podguard.io/defaults")).startsWith("resources (container app), ");
    }

    @Test
    void withoutPodguardTheScopedQuotaRefusesTheTerminatingPodOnly() {
        String ns = Namespaces.create(client, "quota-scoped-unwatched", Map.of(WebhookConfigurations.UNWATCHED_LABEL, "true"));
        terminatingQuota(ns);

        client.pods().inNamespace(ns).resource(Manifests.barePod("bare")).create();
        KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(terminating("job")).create());

        assertThat(refused.getCode()).isEqualTo(403);
        assertThat(refused.getStatus().getMessage()).isEqualTo("pods \"job\" is forbidden: failed quota: batch: must specify limits.cpu for: app");
    }

    @Test
    void gpuRequestedByItsLimitAloneIsStoredWithRequestEqualToLimitAndTheToleration() {
        String ns = Namespaces.create(client, "gpu");
        Pod gpu = new PodBuilder().withNewMetadata().withName("train").endMetadata().withNewSpec()
                .addNewContainer().withName("cuda").withImage("nvidia/cuda:13.0").withNewResources()
                .withLimits(Map.of("nvidia.com/gpu", new Quantity("1"))).endResources().endContainer().endSpec().build();

        Pod stored = client.pods().inNamespace(ns).resource(gpu).create();

        ResourceRequirements r = stored.getSpec().getContainers().getFirst().getResources();
        assertThat(r.getRequests()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(r.getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(stored.getSpec().getTolerations()).contains(new Toleration("NoSchedule", "nvidia.com/gpu", "Exists", null, null));
        assertThat(stored.getMetadata().getAnnotations().get("podguard.io/defaults"))
                .contains("placement.extendedResourceTolerations (nvidia.com/gpu)");
    }

    @Test
    void gpuWithARequestOtherThanItsLimitIsRefusedWithPodguardsReasonFirst() {
        String ns = Namespaces.create(client, "gpu");
        Pod gpu = new PodBuilder().withNewMetadata().withName("train").endMetadata().withNewSpec()
                .addNewContainer().withName("cuda").withImage("nvidia/cuda:13.0").withNewResources()
                .withRequests(Map.of("nvidia.com/gpu", new Quantity("1"), "cpu", new Quantity("1")))
                .withLimits(Map.of("nvidia.com/gpu", new Quantity("2"), "cpu", new Quantity("1"))).endResources().endContainer().endSpec().build();

        KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(ns).resource(gpu).create());

        // The apiserver validates a pod before the validating webhooks see it: the mutating webhook says why first.
        assertThat(refused.getCode()).isEqualTo(422);
        assertThat(refused.getStatus().getMessage()).isEqualTo("admission webhook \"mutate.podguard.io\" denied the request: "
                + "violates resource rules: resources not overcommittable (container \"cuda\" requests nvidia.com/gpu=1 but limits it to 2: "
                + "nvidia.com/gpu cannot be overcommitted, request and limit must be equal)");
    }

    @Test
    void resizeAboveTheMaximumIsRefusedAndWithinItAdmitted() {
        String ns = Namespaces.create(client, "resize");
        Pod pod = new PodBuilder().withNewMetadata().withName("app").endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("nginx:1.29").withNewResources()
                .withRequests(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("128Mi")))
                .withLimits(Map.of("cpu", new Quantity("1"), "memory", new Quantity("256Mi"))).endResources().endContainer().endSpec().build();
        client.pods().inNamespace(ns).resource(pod).create();

        KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class, () -> resize(ns, "3"));

        assertThat(refused.getCode()).isEqualTo(403);
        assertThat(refused.getStatus().getMessage()).isEqualTo("admission webhook \"pods.validate.podguard.io\" denied the request: "
                + "violates resource rules: resources above maximum (container \"app\": maximum cpu usage per Container is 2, but limit is 3)");
        Pod resized = resize(ns, "2");
        assertThat(resized.getSpec().getContainers().getFirst().getResources().getLimits()).containsEntry("cpu", new Quantity("2"));
    }

    private static Pod resize(String ns, String cpuLimit) {
        String patch = "{\"spec\":{\"containers\":[{\"name\":\"app\",\"resources\":{\"limits\":{\"cpu\":\"" + cpuLimit + "\"}}}]}}";
        return client.pods().inNamespace(ns).withName("app").subresource("resize").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
    }

    /**
     * Creates {@code pod} once podguard's caches know the namespace's LimitRange and quota: they
     * follow a watch, and a namespace made a moment ago may not be there yet (a dry run asks).
     */
    private static Pod createWhenKnown(String ns, Pod pod) {
        return createWhenKnown(ns, pod, "compute");
    }

    /** Creates the pod once podguard's cache knows quota {@code quota} (a dry run says so). */
    private static Pod createWhenKnown(String ns, Pod pod, String quota) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            String recorded = "";
            try {
                Pod trial = client.pods().inNamespace(ns).resource(pod).dryRun().create();
                recorded = trial.getMetadata().getAnnotations().getOrDefault("podguard.io/defaults", "");
            } catch (KubernetesClientException e) {
                // the quota refused it: podguard did not know the quota yet
            }
            if (recorded.contains("ResourceQuota " + quota) || Instant.now().isAfter(deadline)) {
                return client.pods().inNamespace(ns).resource(pod).create();
            }
            Podguard.sleep(200);
        }
    }
}
