package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Json;
import io.podguard.engine.Judgement;
import io.podguard.report.Review;
import io.podguard.report.ReviewObserver;
import io.podguard.testing.Reviews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reviews built to hurt, through the HTTPS server: an image of a few hundred KB under an image
 * exemption (a backtracking glob took seconds), 50,000-character SELinux types and capabilities
 * (the warning formatter overflowed the stack), a review over 3 MiB from {@code <} padding (it
 * was refused and, under {@code failurePolicy: Ignore}, let through), an evaluation that cannot
 * finish in time, and an {@link Error} out of the review. Every one is answered, in time, with a
 * verdict or one line; the others go on being answered.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Import(HostileReviewServerTest.SlowObserver.class)
class HostileReviewServerTest extends WebhookServerTestSupport {

    static final String POLICY = """
            mode: enforce
            podSecurity:
              enforce: {level: baseline}
              audit: {level: restricted}
              warn: {level: restricted}
            defaults: {enabled: false}
            exemptions:
              - reason: istio proxy runs privileged
                images: ["docker.io/istio/proxyv2:*"]
                checks: [privileged]
              - reason: distroless proxies from any mirror on Docker Hub
                images: ["docker.io/*/proxyv2:*-distroless"]
                checks: [privileged]
            namespaces:
              - names: [observed]
                podSecurity:
                  enforce: {level: privileged}
                  audit: {level: restricted}
                  warn: {level: restricted}
            """;
    static final Path POLICY_FILE;
    /** Released by the test that stalls an evaluation; a stalled one never waits more than this. */
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    static {
        try {
            POLICY_FILE = Files.writeString(Files.createTempFile("podguard-hostile", ".yaml"), POLICY);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Observers run inside the review: this one stalls a pod named {@code stall} (an evaluation
     * that cannot finish in time) and throws a {@link StackOverflowError} for one named {@code overflow}.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class SlowObserver {
        @Bean
        ReviewObserver slowObserver() {
            return new ReviewObserver() {
                @Override
                public void evaluated(Review review, EffectivePolicy policy, Judgement judgement) {
                    String name = judgement.sent().name();
                    if ("stall".equals(name)) {
                        try {
                            RELEASE.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    } else if ("overflow".equals(name)) {
                        throw new StackOverflowError();
                    }
                }
            };
        }
    }

    @DynamicPropertySource
    static void policy(DynamicPropertyRegistry registry) {
        registry.add("podguard.policy-file", POLICY_FILE::toString);
    }

    @Autowired
    MeterRegistry registry;

    static String pod(String name, String namespace, String containers) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + namespace
                + "\"},\"spec\":{\"containers\":[" + containers + "]}}";
    }

    HttpResponse<String> validate(String review, int timeoutSeconds) throws Exception {
        return https.send(HttpRequest.newBuilder(webhook("/validate?timeout=" + timeoutSeconds + "s"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(review))
                // the apiserver's own patience: an answer later than this is no answer
                .timeout(Duration.ofSeconds(timeoutSeconds))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> validateAsync(String review, int timeoutSeconds) {
        return https.sendAsync(HttpRequest.newBuilder(webhook("/validate?timeout=" + timeoutSeconds + "s"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(review))
                .timeout(Duration.ofSeconds(timeoutSeconds))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode response(HttpResponse<String> resp) {
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        return Reviews.response(resp.body());
    }

    /** A privileged container whose image a pod author stretched to 300 KB, shaped to make a backtracking glob work hard. */
    @Test
    void validateWhenHugeImagesUnderAnImageExemptionThenJudgedInTimeAndOthersUnaffected() throws Exception {
        String image = "docker.io/" + "mirror/proxyv2:".repeat(20_000) + "x";
        String hostile = Reviews.create(pod("hostile", "default", """
                {"name":"a","image":"%s","securityContext":{"privileged":true}}""".formatted(image)));
        String legit = Reviews.create(pod("legit", "default", """
                {"name":"istio-proxy","image":"istio/proxyv2:1.24.0","securityContext":{"privileged":true}}"""));

        List<CompletableFuture<HttpResponse<String>>> attacks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            attacks.add(validateAsync(hostile, 3));
        }
        JsonNode legitAnswer = response(validate(legit, 3));

        assertThat(legitAnswer.path("allowed").asBoolean()).isTrue();
        assertThat(legitAnswer.path("auditAnnotations").path("exempt").asString()).isEqualTo("istio proxy runs privileged");
        for (CompletableFuture<HttpResponse<String>> attack : attacks) {
            JsonNode denied = response(attack.get());
            assertThat(denied.path("allowed").asBoolean()).isFalse();
            assertThat(denied.path("status").path("message").asString())
                    .startsWith("violates PodSecurity \"baseline:latest\": privileged (container \"a\" must not set securityContext.privileged=true)");
        }
    }

    /** On main a 50,000-character SELinux type or capability overflowed the stack: a 500 HTML page, warnings and annotations lost. */
    @Test
    void validateWhenHugeSeLinuxTypeAndCapabilityInWarnAndAuditThenWarningsAndAnnotationsCut() throws Exception {
        String huge = "t".repeat(50_000);
        String review = Reviews.create(pod("huge", "observed", """
                {"name":"app","image":"registry.example/app:1","securityContext":{"seLinuxOptions":{"type":"%s"},
                 "capabilities":{"add":["%s"]}}}""".formatted(huge, huge.toUpperCase())));

        JsonNode r = response(validate(review, 10));

        assertThat(r.path("allowed").asBoolean()).isTrue();
        List<String> warnings = new ArrayList<>();
        r.path("warnings").forEach(w -> warnings.add(w.asString()));
        assertThat(warnings).isNotEmpty().allSatisfy(w -> assertThat(w).hasSizeLessThanOrEqualTo(256));
        assertThat(warnings).anySatisfy(w -> assertThat(w).startsWith(
                "would violate PodSecurity \"restricted:latest\": seLinuxOptions (container \"app\" set forbidden securityContext.seLinuxOptions: type \"ttt"));
        assertThat(warnings).anySatisfy(w -> assertThat(w).startsWith(
                "would violate PodSecurity \"restricted:latest\": unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]"));
        String audit = r.path("auditAnnotations").path("audit-violations").asString();
        assertThat(audit).startsWith("would violate PodSecurity \"restricted:latest\": ")
                .contains("type \"" + "t".repeat(256) + "…\"")
                .contains("\"" + "T".repeat(256) + "…\"")
                .hasSizeLessThan(2_000);
    }

    /**
     * The apiserver re-encodes a pod with Go's escaping: 540,000 {@code <} in an env value become
     * a 3.2 MB object, twice on UPDATE. Judged, never refused as too large.
     */
    @Test
    void validateWhenReviewOverThreeMebibytesFromEscapingThenJudged() throws Exception {
        String padded = pod("padded", "default", """
                {"name":"app","image":"nginx","securityContext":{"privileged":true},"env":[{"name":"PAD","value":"%s"}]}"""
                .formatted("<".repeat(540_000)));
        // an update of the image (the spec changed: judged), written as Go's encoder writes it: < is \u003c
        ObjectNode tree = (ObjectNode) Json.mapper().readTree(Reviews.review("admission.k8s.io/v1", "UPDATE", padded, false));
        ((ObjectNode) tree.at("/request/oldObject/spec/containers/0")).put("image", "nginx:1.26");
        String review = Json.mapper().writeValueAsString(tree).replace("<", "\\u003c");
        assertThat(review.length()).isGreaterThan(2 * 3_240_000);

        JsonNode r = response(validate(review, 10));

        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(r.path("status").path("message").asString())
                .isEqualTo("violates PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)");
    }

    /** An evaluation that cannot finish before the apiserver gives up is answered 503 in time; the rest go on. */
    @Test
    void validateWhenEvaluationCannotFinishInTimeThen503OneLineAndOthersAnswered() throws Exception {
        double before = rejected("deadline");
        try {
            CompletableFuture<HttpResponse<String>> stalled = validateAsync(Reviews.create(pod("stall", "default",
                    "{\"name\":\"app\",\"image\":\"nginx\"}")), 2);

            JsonNode other = response(validate(Reviews.create(pod("other", "default", "{\"name\":\"app\",\"image\":\"nginx\"}")), 2));
            HttpResponse<String> late = stalled.get();

            assertThat(other.path("allowed").asBoolean()).isTrue();
            assertThat(late.statusCode()).isEqualTo(503);
            assertThat(late.body()).isEqualTo("podguard could not judge the review before the request's deadline\n");
            assertThat(late.headers().firstValue("Content-Type")).hasValue("text/plain;charset=utf-8");
            assertThat(getManagement("/livez").statusCode()).isEqualTo(200);
            assertThat(rejected("deadline")).isEqualTo(before + 1);
        } finally {
            RELEASE.countDown();
        }
    }

    /** An Error is not a RuntimeException: it once escaped to Tomcat, which answered an HTML page. */
    @Test
    void validateWhenReviewThrowsAnErrorThenOneLine500AndCounted() throws Exception {
        double before = rejected("internal_error");

        HttpResponse<String> resp = validate(Reviews.create(pod("overflow", "default", "{\"name\":\"app\",\"image\":\"nginx\"}")), 5);

        assertThat(resp.statusCode()).isEqualTo(500);
        assertThat(resp.body()).doesNotContain("<").contains("StackOverflowError").endsWith("\n").hasLineCount(1);
        assertThat(rejected("internal_error")).isEqualTo(before + 1);
    }

    private double rejected(String reason) {
        return registry.get("podguard.admission.rejected").tag("reason", reason).counter().count();
    }
}
