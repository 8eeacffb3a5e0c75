package io.podguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.KubeQuantity;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.resources.NamespaceResources;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The resolver hands the engine what is known of the request's namespace's LimitRanges and quotas, where the defaults use them. */
class NamespaceLimitsResolutionTest {

    private static final NamespaceResources TEAM = new NamespaceResources(
            List.of(new NamespaceResources.ContainerLimits("bounds", new TreeMap<>(), new TreeMap<>(java.util.Map.of("cpu", KubeQuantity.parse("2"))),
                    new TreeMap<>(), new TreeMap<>(), new TreeMap<>())),
            List.of(new NamespaceResources.Quota("compute", Set.of("limits.cpu"))));
    private static final NamespaceLimits KNOWN = namespace -> namespace.equals("team") ? TEAM : NamespaceResources.NONE;

    private static EffectivePolicy resolve(String policy, String namespace) {
        ConfiguredPolicyResolver r = new ConfiguredPolicyResolver(PolicyLoader.parse(policy), NamespaceLabels.NONE, KNOWN,
                Clock.systemUTC(), PolicyResolver.ExpiryListener.NONE);
        return r.resolve(new RequestInfo(namespace, "alice", List.of()), Pods.sidecarPod(namespace, false));
    }

    @Test
    void namespaceResourcesOfTheRequestsNamespace() {
        assertThat(resolve("mode: enforce\n", "team").namespaceResources()).isEqualTo(TEAM);
        assertThat(resolve("mode: enforce\n", "other").namespaceResources()).isEqualTo(NamespaceResources.NONE);
    }

    @Test
    void notAskedWhenTheResourceDefaultsDoNotUseThem() {
        assertThat(resolve("defaults: {resources: {fromNamespace: false}}\n", "team").namespaceResources()).isEqualTo(NamespaceResources.NONE);
        assertThat(resolve("defaults: {resources: {enabled: false}}\n", "team").namespaceResources()).isEqualTo(NamespaceResources.NONE);
        assertThat(resolve("defaults: {enabled: false}\n", "team").namespaceResources()).isEqualTo(NamespaceResources.NONE);
        assertThat(resolve("""
                mode: enforce
                namespaces:
                  - names: [team]
                    defaults: {resources: {fromNamespace: false}}
                """, "team").namespaceResources()).isEqualTo(NamespaceResources.NONE);
    }
}
