package io.podguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Json;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** podguard_mutations_total{defaulter}, fed by real /mutate reviews. */
class MutationMetricsTest {

    private static final String REVIEW = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
              "uid":"1","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},
              "operation":"CREATE","namespace":"a","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
              "spec":{"containers":[{"name":"a","image":"a","ports":[{"containerPort":80}]},{"name":"b","image":"b"}]}}}}
            """;

    @Test
    void mutateWhenDefaultsSetThenCountedPerDefaulterAndContainer() throws BadReviewException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.embeddedDefault());
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, new MutationMetrics(registry));

        handler.handle(Endpoint.MUTATE, REVIEW.getBytes());
        handler.handle(Endpoint.MUTATE, REVIEW.getBytes());

        assertThat(registry.scrape().lines().filter(l -> l.startsWith("podguard_mutations_total")).sorted().toList()).containsExactly(
                "podguard_mutations_total{defaulter=\"preStop\"} 4.0",
                "podguard_mutations_total{defaulter=\"readinessProbe\"} 2.0",
                "podguard_mutations_total{defaulter=\"resources\"} 4.0",
                "podguard_mutations_total{defaulter=\"securityContext\"} 6.0");
    }

    @Test
    void mutateWhenAuditModeOrNothingSetThenNotCounted() throws BadReviewException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PolicyResolver audit = PolicyResolver.fixed(PolicyLoader.parse("defaults:\n  mode: audit\n"));
        new AdmissionHandler(Engine.standard(), () -> audit, new MutationMetrics(registry)).handle(Endpoint.MUTATE, REVIEW.getBytes());
        ObjectNode optedOut = (ObjectNode) Json.mapper().readTree(REVIEW);
        ((ObjectNode) optedOut.at("/request/object/metadata")).putObject("annotations").put("podguard.io/skip-defaults", "all");
        PolicyResolver apply = PolicyResolver.fixed(PolicyLoader.embeddedDefault());
        new AdmissionHandler(Engine.standard(), () -> apply, new MutationMetrics(registry))
                .handle(Endpoint.MUTATE, Json.mapper().writeValueAsBytes(optedOut));

        assertThat(registry.scrape()).doesNotContain("podguard_mutations_total");
    }
}
