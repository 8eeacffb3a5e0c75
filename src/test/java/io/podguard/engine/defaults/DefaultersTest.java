package io.podguard.engine.defaults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry, and each defaulter's edge cases not covered by the golden fixtures, with exact patches. */
class DefaultersTest {

    private static final DefaultsConfig CONFIG = DefaultsConfig.DEFAULT;

    @Test
    void allWhenListedThenIdsOrderAndOptOutNames() {
        assertThat(Defaulters.all()).extracting(Defaulter::id)
                .containsExactly("resources", "readinessProbe", "livenessProbe", "preStop", "securityContext",
                        "placement.nodeSelector", "placement.tolerations", "placement.extendedResourceTolerations");
        assertThat(Defaulters.all()).extracting(Defaulter::optOutName)
                .containsExactly("resources", "probes", "probes", "preStop", "securityContext",
                        "placement.nodeSelector", "placement.tolerations", "placement.extendedResourceTolerations");
        assertThat(Defaulters.all()).extracting(d -> d.isEnabled(CONFIG)).containsExactly(true, true, false, true, true, true, true, true);
        // Placement is policy: a pod cannot opt out of it, and it is off until the placement section turns it on.
        assertThat(Defaulters.all()).extracting(Defaulter::optional).containsExactly(true, true, true, true, true, false, false, false);
        assertThat(Defaulters.all()).extracting(d -> d.run(new io.podguard.engine.EffectivePolicy(CONFIG, List.of())))
                .containsExactly(Defaulter.Run.APPLY, Defaulter.Run.APPLY, Defaulter.Run.OFF, Defaulter.Run.APPLY, Defaulter.Run.APPLY,
                        Defaulter.Run.OFF, Defaulter.Run.OFF, Defaulter.Run.OFF);
    }

    @Test
    void resourcesWhenQuantityUnreadableThenThatResourceLeftAlone() {
        assertThat(patch(new ResourcesDefaulter(), CONFIG, """
                spec:
                  containers: [{name: app, image: app, resources: {requests: {memory: lots}}}]
                """)).isEqualTo("[{\"op\":\"add\",\"path\":\"/spec/containers/0/resources/requests/cpu\",\"value\":\"100m\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata\",\"value\":{\"annotations\":{\"podguard.io/defaults\":\"resources (container app)\"}}}]");
    }

    @Test
    void resourcesWhenRequestEqualsDefaultLimitByValueThenDefaultLimit() {
        assertThat(patch(new ResourcesDefaulter(), CONFIG, """
                metadata: {annotations: {}}
                spec:
                  containers: [{name: app, image: app, resources: {requests: {cpu: 100m, memory: "268435456"}}}]
                """)).isEqualTo("[{\"op\":\"add\",\"path\":\"/metadata/annotations/podguard.io~1defaults\",\"value\":\"resources (container app)\"},"
                + "{\"op\":\"add\",\"path\":\"/spec/containers/0/resources/limits\",\"value\":{\"memory\":\"256Mi\"}}]");
    }

    @Test
    void readinessProbeWhenPortNameInvalidThenByNumber() {
        assertThat(patch(new ReadinessProbeDefaulter(), CONFIG, """
                metadata: {annotations: {}}
                spec:
                  containers: [{name: app, image: app, ports: [{containerPort: 8080, name: HTTP_Port}]}]
                """)).contains("{\"op\":\"add\",\"path\":\"/spec/containers/0/readinessProbe\",\"value\":{\"tcpSocket\":{\"port\":8080}}}");
    }

    @Test
    void readinessProbeWhenPortNameRulesThenApiserverNames() {
        assertThat(List.of("http", "h2c", "grpc-web", "a1", "abcdefghijklmno")).allMatch(TcpProbes::isPortName);
        assertThat(List.of("", "HTTP", "8080", "-http", "http-", "grpc--web", "abcdefghijklmnop", "http_alt")).noneMatch(TcpProbes::isPortName);
    }

    @Test
    void preStopWhenGracePeriodNegativeThenNothing() {
        assertThat(patch(new PreStopDefaulter(), CONFIG, """
                spec:
                  terminationGracePeriodSeconds: -1
                  containers: [{name: app, image: app}]
                """)).isEqualTo("[]");
    }

    @Test
    void preStopWhenExtensionOffAndGraceShorterThanSleepThenNothing() {
        DefaultsConfig noExtension = CONFIG.withPreStop(new DefaultsConfig.PreStop(true, 5, false));
        assertThat(patch(new PreStopDefaulter(), noExtension, """
                spec:
                  terminationGracePeriodSeconds: 3
                  containers: [{name: app, image: app}]
                """)).isEqualTo("[]");
    }

    @Test
    void preStopWhenExtensionOffAndGraceFitsThenHookButGraceKept() {
        DefaultsConfig noExtension = CONFIG.withPreStop(new DefaultsConfig.PreStop(true, 5, false));
        assertThat(patch(new PreStopDefaulter(), noExtension, """
                metadata: {annotations: {}}
                spec:
                  terminationGracePeriodSeconds: 5
                  containers: [{name: app, image: app}]
                """)).isEqualTo("[{\"op\":\"add\",\"path\":\"/metadata/annotations/podguard.io~1defaults\",\"value\":\"preStop (container app)\"},"
                + "{\"op\":\"add\",\"path\":\"/spec/containers/0/lifecycle\",\"value\":{\"preStop\":{\"sleep\":{\"seconds\":5}}}}]");
    }

    @Test
    void preStopWhenSleepLongerThanDefaultGraceAndGraceAbsentThenNothing() {
        DefaultsConfig longSleep = CONFIG.withPreStop(new DefaultsConfig.PreStop(true, 31, true));
        assertThat(patch(new PreStopDefaulter(), longSleep, """
                spec:
                  containers: [{name: app, image: app}]
                """)).isEqualTo("[]");
    }

    @Test
    void securityContextWhenRunAsUserZeroThenNoRunAsNonRoot() {
        DefaultsConfig restricted = CONFIG.withSecurityContext(DefaultsConfig.SecurityContext.RESTRICTED);
        assertThat(patch(new SecurityContextDefaulter(), restricted, """
                metadata: {annotations: {}}
                spec:
                  securityContext: {seccompProfile: {type: RuntimeDefault}}
                  containers: [{name: app, image: app, securityContext: {runAsUser: 0, allowPrivilegeEscalation: true, capabilities: {drop: [ALL]}}}]
                """)).isEqualTo("[]");
    }

    @Test
    void securityContextWhenLegacySeccompAnnotationThenNoSeccompField() {
        assertThat(patch(new SecurityContextDefaulter(), CONFIG, """
                metadata: {annotations: {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}}
                spec:
                  containers: [{name: app, image: app, securityContext: {allowPrivilegeEscalation: false}}]
                """)).isEqualTo("[]");
    }

    @Test
    void securityContextWhenPrivilegedAndDropAllConfiguredThenPrivilegedLeftAlone() {
        DefaultsConfig restricted = CONFIG.withSecurityContext(DefaultsConfig.SecurityContext.RESTRICTED);
        assertThat(patch(new SecurityContextDefaulter(), restricted, """
                metadata: {annotations: {}}
                spec:
                  securityContext: {seccompProfile: {type: RuntimeDefault}, runAsNonRoot: false}
                  containers: [{name: app, image: app, securityContext: {privileged: true}}]
                """)).isEqualTo("[]");
    }

    @Test
    void annotationWhenExistingEntriesThenNewOnesAppended() {
        assertThat(patch(new ResourcesDefaulter(), CONFIG, """
                metadata: {annotations: {"podguard.io/defaults": "preStop (container app)"}}
                spec:
                  containers: [{name: app, image: app}]
                """)).startsWith("[{\"op\":\"replace\",\"path\":\"/metadata/annotations/podguard.io~1defaults\","
                + "\"value\":\"preStop (container app), resources (container app)\"}");
    }

    @Test
    void annotationWhenEntryAlreadyRecordedThenNotRepeated() {
        assertThat(patch(new ResourcesDefaulter(), CONFIG, """
                metadata: {annotations: {"podguard.io/defaults": "resources (container app)"}}
                spec:
                  containers: [{name: app, image: app}]
                """)).isEqualTo("[{\"op\":\"add\",\"path\":\"/spec/containers/0/resources\",\"value\":"
                + "{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"},\"limits\":{\"memory\":\"256Mi\"}}}]");
    }

    @Test
    void skippedWhenListWithSpacesAndCaseThenLowerCaseNames() {
        var meta = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .addToAnnotations(DefaultsAnnotations.SKIP_DEFAULTS, " Probes ,preStop,, ").build();

        assertThat(DefaultsAnnotations.skipped(meta)).containsExactly("probes", "prestop");
        assertThat(DefaultsAnnotations.skips(DefaultsAnnotations.skipped(meta), new LivenessProbeDefaulter())).isTrue();
        assertThat(DefaultsAnnotations.skips(DefaultsAnnotations.skipped(meta), new ResourcesDefaulter())).isFalse();
    }

    /** The patch {@code defaulter} alone produces for {@code podYaml}, as JSON text. */
    private static String patch(Defaulter defaulter, DefaultsConfig config, String podYaml) {
        var pod = PatchTesting.yaml("apiVersion: v1\nkind: Pod\n" + podYaml);
        return new DefaultsEngine(List.of(defaulter)).mutate(DefaultsPropertiesTest.extract(pod), new io.podguard.engine.EffectivePolicy(config, java.util.List.of())).patch().toString();
    }
}
