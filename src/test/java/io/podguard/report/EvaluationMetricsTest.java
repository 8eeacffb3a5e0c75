package io.podguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EvaluationMetricsTest {

    static final String BAD_POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"team-a"},
             "spec":{"hostPID":true,"containers":[{"name":"app","image":"nginx"}]}}""";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private void validate(String policy, String pod) throws Exception {
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.parse(policy));
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver,
                new EvaluationMetrics(registry));
        handler.handle(Endpoint.VALIDATE, ("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
                 "namespace":"team-a","name":"web","operation":"CREATE","object":%s}}""".formatted(pod)).getBytes(StandardCharsets.UTF_8));
    }

    private double count(String check, String level, String decision, String mode) {
        Counter c = registry.find("podguard.policy.evaluations")
                .tags("check", check, "level", level, "decision", decision, "mode", mode).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void evaluatedWhenAuditModeThenEachCheckCountedAsAllowOrDenyUnderAudit() throws Exception {
        validate("mode: audit\npodSecurity: {level: baseline}\n", BAD_POD);
        validate("mode: audit\npodSecurity: {level: baseline}\n", BAD_POD);

        assertThat(count("hostNamespaces", "baseline", "deny", "audit")).isEqualTo(2);
        assertThat(count("privileged", "baseline", "allow", "audit")).isEqualTo(2);
        assertThat(count("privileged", "baseline", "deny", "audit")).isZero();
        assertThat(registry.find("podguard.policy.evaluations").tag("mode", "enforce").counters()).isEmpty();
    }

    @Test
    void evaluatedWhenThreeModesThenEachCountsAtItsOwnLevel() throws Exception {
        validate("""
                mode: enforce
                podSecurity: {level: baseline, audit: {level: restricted}, warn: {level: restricted}}
                """, BAD_POD);

        assertThat(count("hostNamespaces", "baseline", "deny", "enforce")).isEqualTo(1);
        assertThat(count("hostNamespaces", "restricted", "deny", "audit")).isEqualTo(1);
        assertThat(count("hostNamespaces", "restricted", "deny", "warn")).isEqualTo(1);
        assertThat(count("privileged", "restricted", "allow", "warn")).isEqualTo(1);
    }

    @Test
    void evaluatedWhenLevelIsPrivilegedThenNothingIsCounted() throws Exception {
        validate("mode: enforce\npodSecurity: {level: privileged}\n", BAD_POD);

        assertThat(registry.find("podguard.policy.evaluations").counters()).isEmpty();
    }

    @Test
    void evaluatedThenNoSeriesCarriesAnObjectName() throws Exception {
        validate("mode: warn\npodSecurity: {level: baseline}\n", BAD_POD);

        assertThat(registry.find("podguard.policy.evaluations").counters()).isNotEmpty().allSatisfy(c ->
                assertThat(c.getId().getTags()).extracting(t -> t.getKey()).containsExactlyInAnyOrder("check", "level", "decision", "mode"));
    }
}
