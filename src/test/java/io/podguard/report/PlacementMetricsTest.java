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

/** Placement rules in {@code podguard_policy_evaluations_total}, with {@code level="none"}, as every rule without a Pod Security level. */
class PlacementMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void evaluatedWhenPlacementRulesThenEachCountedInItsMode() throws Exception {
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.parse("""
                podSecurity: {level: privileged}
                placement: {nodeName: {}, dedicatedNodes: {taints: [{key: dedicated}]}}
                """));
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver,
                new EvaluationMetrics(registry));
        handler.handle(Endpoint.VALIDATE, """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
                 "namespace":"team-a","name":"web","operation":"CREATE","object":{"apiVersion":"v1","kind":"Pod",
                 "metadata":{"name":"web"},"spec":{"nodeName":"n1","containers":[{"name":"app","image":"nginx"}]}}}}"""
                .getBytes(StandardCharsets.UTF_8));

        assertThat(count("placement.nodeName", "deny", "enforce")).isEqualTo(1);
        assertThat(count("placement.dedicatedNodes", "allow", "warn")).isEqualTo(1);
        assertThat(registry.find("podguard.policy.evaluations").tag("level", "none").counters()).hasSize(2);
    }

    private double count(String check, String decision, String mode) {
        Counter c = registry.find("podguard.policy.evaluations")
                .tags("check", check, "level", "none", "decision", decision, "mode", mode).counter();
        return c == null ? 0 : c.count();
    }
}
