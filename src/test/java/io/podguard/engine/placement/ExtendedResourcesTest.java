package io.podguard.engine.placement;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Which resources are extended, and which a pod asks for. */
class ExtendedResourcesTest {

    @Test
    void isExtendedWhenNameShapesThenAsKubernetes() {
        assertThat(ExtendedResources.isExtended("nvidia.com/gpu")).isTrue();
        assertThat(ExtendedResources.isExtended("example.com/device-ek")).isTrue();
        assertThat(ExtendedResources.isExtended("cpu")).isFalse();
        assertThat(ExtendedResources.isExtended("hugepages-2Mi")).isFalse();
        assertThat(ExtendedResources.isExtended("kubernetes.io/foo")).isFalse();
        assertThat(ExtendedResources.isExtended("requests.example.com/x")).isFalse();
        assertThat(ExtendedResources.isExtended("Example.com/x")).isFalse();
    }

    @Test
    void requestedWhenLimitsRequestsAndInitContainersThenSortedAndNotEphemeral() {
        assertThat(ExtendedResources.requested(YAMLMapper.builder().build().readTree("""
                spec:
                  containers: [{name: a, resources: {limits: {nvidia.com/gpu: 1}}}]
                  initContainers: [{name: i, resources: {requests: {example.com/fpga: 1, cpu: 1}}}]
                  ephemeralContainers: [{name: e, resources: {requests: {example.com/debug: 1}}}]
                """))).containsExactly("example.com/fpga", "nvidia.com/gpu");
    }
}
