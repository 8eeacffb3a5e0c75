package io.podguard.engine.placement;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Kubernetes v1.37's QoS classes, as {@code qos.GetPodQOS} computes them. */
class PodQosTest {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no resources | {spec: {containers: [{name: a}]}} | BEST_EFFORT",
        "no containers | {spec: {}} | BEST_EFFORT",
        "only an extended resource | {spec: {containers: [{name: a, resources: {requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 1}}}]}} | BEST_EFFORT",
        "a zero cpu request | {spec: {containers: [{name: a, resources: {requests: {cpu: '0'}}}]}} | BEST_EFFORT",
        "a cpu request | {spec: {containers: [{name: a, resources: {requests: {cpu: 100m}}}]}} | BURSTABLE",
        "cpu request equals limit, memory unset | {spec: {containers: [{name: a, resources: {requests: {cpu: 1}, limits: {cpu: 1000m}}}]}} | BURSTABLE",
        "cpu and memory equal | {spec: {containers: [{name: a, resources: {requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 1000m, memory: 1024Mi}}}]}} | GUARANTEED",
        "guaranteed and best-effort containers | {spec: {containers: [{name: a, resources: {requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}}, {name: b}]}} | BURSTABLE",
        "an init container counts | {spec: {initContainers: [{name: i, resources: {requests: {memory: 1Mi}}}], containers: [{name: a}]}} | BURSTABLE",
        "pod-level resources decide | {spec: {resources: {limits: {cpu: 1}}, containers: [{name: a}]}} | BURSTABLE",
        "pod-level hugepages only: containers ignored | {spec: {resources: {limits: {hugepages-2Mi: 2Mi}}, containers: [{name: a, resources: {requests: {cpu: 1}}}]}} | BEST_EFFORT",
        "pod-level ephemeral storage only: containers decide | {spec: {resources: {limits: {ephemeral-storage: 1Gi}}, containers: [{name: a, resources: {requests: {cpu: 1}}}]}} | BURSTABLE",
        "status.qosClass wins | {status: {qosClass: BestEffort}, spec: {containers: [{name: a, resources: {requests: {cpu: 1}}}]}} | BEST_EFFORT",
        "an unreadable quantity | {spec: {containers: [{name: a, resources: {requests: {cpu: lots}}}]}} | BURSTABLE",
    })
    void ofWhenResourcesThenClass(String name, String pod, PodQos expected) {
        assertThat(PodQos.of(YAML.readTree(pod))).isEqualTo(expected);
    }
}
