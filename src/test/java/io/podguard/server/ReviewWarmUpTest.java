package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.ReviewObserver;
import io.podguard.testing.Reviews;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ReviewWarmUpTest {

    private static byte[] sample(String name) throws Exception {
        try (InputStream in = ReviewWarmUp.class.getResourceAsStream("warm-up/" + name + ".json")) {
            return in.readAllBytes();
        }
    }

    /** The samples are what the apiserver sends and get the answers real reviews get, not a 400 on the error path. */
    @Test
    void samplesUnderTheEmbeddedDefaultThenJudgedLikeTheApiserversReviews() throws Exception {
        PolicyResolver resolver = new io.podguard.policy.ConfiguredPolicyResolver(PolicyLoader.embeddedDefault(),
                io.podguard.policy.NamespaceLabels.NONE, io.podguard.policy.NamespaceLimits.NONE, java.time.Clock.systemUTC(), (i, e) -> { });
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);

        JsonNode mutate = Reviews.response(handler.handle(Endpoint.MUTATE, sample("mutate-create")));
        JsonNode create = Reviews.response(handler.handle(Endpoint.VALIDATE, sample("validate-create")));
        JsonNode update = Reviews.response(handler.handle(Endpoint.VALIDATE, sample("validate-update")));

        assertThat(mutate.path("allowed").asBoolean()).isTrue();
        assertThat(Reviews.patch(mutate).size()).as("the defaults' patch").isGreaterThan(0);
        assertThat(create.path("allowed").asBoolean()).isTrue();
        assertThat(create.path("uid").asString()).isEqualTo("00000000-0000-0000-0000-000000000002");
        assertThat(update.path("allowed").asBoolean()).isTrue();
        assertThat(update.path("uid").asString()).isEqualTo("00000000-0000-0000-0000-000000000003");
    }

    @Test
    void runThenEverySampleJudgedEachRoundWithoutANamespaceLookup() {
        List<String> namespaces = new ArrayList<>();
        PolicyResolver real = new io.podguard.policy.ConfiguredPolicyResolver(PolicyLoader.embeddedDefault(),
                io.podguard.policy.NamespaceLabels.NONE, io.podguard.policy.NamespaceLimits.NONE, java.time.Clock.systemUTC(), (i, e) -> { });
        PolicyResolver counting = (request, pod) -> {
            namespaces.add(request.namespace());
            return real.resolve(request, pod);
        };

        int judged = new ReviewWarmUp(Engine.standard(), counting, 5).run();

        assertThat(judged).isEqualTo(15);
        // the UPDATE changes a label only: allowed without resolving the policy, as the apiserver's would be
        assertThat(namespaces).hasSize(10).containsOnly("podguard-warm-up");
    }

    @Test
    void reviewFailsThenWarmUpEndsQuietly() {
        PolicyResolver broken = (request, pod) -> {
            throw new IllegalStateException("broken");
        };

        assertThat(new ReviewWarmUp(Engine.standard(), broken, 3).run()).isZero();
    }

    @Test
    void noRoundsThenNothingRuns() {
        assertThat(new ReviewWarmUp(Engine.standard(), (request, pod) -> null, 0).run()).isZero();
    }
}
