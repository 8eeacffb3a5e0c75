package io.podguard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.engine.defaults.DefaultsConfig;
import io.podguard.engine.pss.PodSecurityLevels;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.AdmissionMetrics;
import io.podguard.report.EvaluationMetrics;
import io.podguard.report.ReviewObserver;
import io.podguard.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The extension contract of docs/architecture.md: a rule kind that implements {@link RuleKind}
 * and sits in the policy's rules is judged, worded, exempted, counted and answered by every
 * caller without any of them knowing it. And the stages of {@link Engine#judge}.
 */
class EngineContractTest {

    /** A rule kind of the test's own: no container may run an image tagged {@code latest}. */
    static final class PinnedImages implements RuleKind<PinnedImages.Config> {
        static final PinnedImages INSTANCE = new PinnedImages();
        static final String RULE = "images.pinned";

        record Config(Mode mode) implements RuleSet {
            @Override
            public RuleKind<?> kind() {
                return INSTANCE;
            }

            @Override
            public Set<Mode> modes() {
                return Set.of(mode);
            }

            @Override
            public RuleSet withMode(Mode other) {
                return new Config(other);
            }
        }

        private static final Wording WORDING = (violations, denied) -> (denied ? "violates" : "would violate") + " image rules: "
                + String.join(", ", violations.stream().map(Violation::message).toList());

        @Override
        public String id() {
            return "images";
        }

        @Override
        public Set<String> ruleIds() {
            return Set.of(RULE);
        }

        @Override
        public void evaluate(Config config, PodObject pod, RequestInfo request, Findings out) {
            List<Violation> violations = new ArrayList<>();
            for (ContainerRef ref : ContainerRef.all(pod.podSpec())) {
                String image = ref.container().getImage();
                if (image != null && image.endsWith(":latest")) {
                    violations.add(new Violation(RULE, pod.pathPrefix() + ref.path() + ".image", "unpinned image",
                            "container \"" + ref.name() + "\" runs " + image));
                }
            }
            out.add(config.mode(), null, List.of(RULE), violations, WORDING);
        }
    }

    private static final String POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop"},
             "spec":{"containers":[{"name":"app","image":"nginx:latest"},{"name":"proxy","image":"envoy:1.30"}]}}""";

    private static EffectivePolicy policy(Mode mode, List<MatchedExemption> exemptions) {
        LevelVersion baseline = LevelVersion.parse("baseline", "latest");
        return new EffectivePolicy(new DefaultsConfig(false, null),
                List.of(new PinnedImages.Config(mode), new PodSecurityLevels(baseline, null, null, baseline)), exemptions);
    }

    private static JsonNode validate(EffectivePolicy policy, ReviewObserver observer, String pod) throws BadReviewException {
        AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> (request, object) -> policy, observer);
        return Reviews.response(handler.handle(Endpoint.VALIDATE, Reviews.create(pod).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void newRuleKindWhenInThePolicyThenTheWebhookDeniesWithItsSentenceAfterTheRegisteredKinds() throws Exception {
        JsonNode response = validate(policy(Mode.ENFORCE, List.of()), ReviewObserver.NONE,
                POD.replace("\"name\":\"app\",", "\"name\":\"app\",\"securityContext\":{\"privileged\":true},"));

        assertThat(response.path("allowed").asBoolean()).isFalse();
        assertThat(response.at("/status/message").asString()).isEqualTo("violates PodSecurity \"baseline:latest\": "
                + "privileged (container \"app\" must not set securityContext.privileged=true); "
                + "violates image rules: unpinned image (container \"app\" runs nginx:latest)");
    }

    @Test
    void newRuleKindWhenAuditModeThenAuditAnnotationAndEveryRuleCounted() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JsonNode response = validate(policy(Mode.AUDIT, List.of()), new EvaluationMetrics(registry), POD);

        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.at("/auditAnnotations/audit-violations").asString())
                .isEqualTo("would violate image rules: unpinned image (container \"app\" runs nginx:latest)");
        assertThat(registry.get("podguard.policy.evaluations").tags("check", "images.pinned", "level", "none",
                "decision", "deny", "mode", "audit").counter().count()).isEqualTo(1);
        assertThat(registry.get("podguard.policy.evaluations").tags("check", "privileged", "level", "baseline",
                "decision", "allow", "mode", "enforce").counter().count()).isEqualTo(1);
    }

    @Test
    void newRuleKindWhenExemptedByRuleIdOrImageThenDroppedAndRecorded() throws Exception {
        MatchedExemption byRule = new MatchedExemption(0, "pinned by digest later", "check", Set.of(PinnedImages.RULE), null);
        JsonNode dropped = validate(policy(Mode.ENFORCE, List.of(byRule)), ReviewObserver.NONE, POD);
        assertThat(dropped.path("allowed").asBoolean()).isTrue();
        assertThat(dropped.at("/auditAnnotations/exempt").asString()).isEqualTo("pinned by digest later");

        MatchedExemption byImage = new MatchedExemption(1, "nginx is vendored", "image", Set.of(), image -> image.startsWith("nginx"));
        JsonNode leftOut = validate(policy(Mode.ENFORCE, List.of(byImage)), ReviewObserver.NONE,
                POD.replace("envoy:1.30", "envoy:latest"));
        assertThat(leftOut.at("/status/message").asString())
                .isEqualTo("violates image rules: unpinned image (container \"proxy\" runs envoy:latest)");
        Evaluation evaluation = Engine.standard().judge(
                PodExtractor.extract("Pod", tools.jackson.databind.json.JsonMapper.shared().readTree(POD.replace("envoy:1.30", "envoy:latest")))
                        .orElseThrow(), policy(Mode.ENFORCE, List.of(byImage)), RequestInfo.offline("shop"), Stage.AS_WRITTEN).evaluation();
        assertThat(evaluation.enforce()).extracting(Violation::path).containsExactly("spec.containers[1].image");
        assertThat(evaluation.exemptionsApplied()).containsExactly(byImage);
    }

    @Test
    void ruleKindThatFailsThenOneLineErrorCountedApartFromBadInput() {
        RuleKind<RuleSet> broken = new RuleKind<>() {
            @Override
            public String id() {
                return "broken";
            }

            @Override
            public Set<String> ruleIds() {
                return Set.of();
            }

            @Override
            public void evaluate(RuleSet config, PodObject pod, RequestInfo request, Findings out) {
                evaluate(config, pod, request, out); // a bug: unbounded recursion
            }
        };
        RuleSet config = new RuleSet() {
            @Override
            public RuleKind<?> kind() {
                return broken;
            }

            @Override
            public Set<Mode> modes() {
                return Set.of(Mode.ENFORCE);
            }

            @Override
            public RuleSet withMode(Mode mode) {
                return this;
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        EffectivePolicy policy = new EffectivePolicy(new DefaultsConfig(false, null), List.of(config));

        assertThatThrownBy(() -> validate(policy, new AdmissionMetrics(registry), POD))
                .isInstanceOfSatisfying(BadReviewException.class, e -> {
                    assertThat(e.status()).isEqualTo(500);
                    assertThat(e.getMessage()).isEqualTo("podguard could not review this Pod: internal error (StackOverflowError)");
                });
        assertThat(registry.get("podguard.admission.errors").tag("webhook", "validate").counter().count()).isEqualTo(1);
        assertThat(registry.find("podguard.admission.bad.requests").counter()).isNull();
    }

    @Test
    void judgeWhenStagesThenDefaultsWhereTheClusterWouldApplyThem() {
        var policy = io.podguard.policy.PolicyCompiler.compile(PolicyLoader.parse("mode: enforce\npodSecurity: {level: restricted}\n"));
        PodObject pod = PodExtractor.extract("Pod", tools.jackson.databind.json.JsonMapper.shared().readTree(POD)).orElseThrow();
        RequestInfo request = RequestInfo.offline("shop");

        Judgement mutate = Engine.standard().judge(pod, policy, request, Stage.MUTATE);
        assertThat(mutate.evaluation()).isEqualTo(Evaluation.NONE);
        assertThat(mutate.patch()).isNotEmpty();

        Judgement asWritten = Engine.standard().judge(pod, policy, request, Stage.AS_WRITTEN);
        assertThat(asWritten.defaults()).isEmpty();
        assertThat(asWritten.stored()).isSameAs(pod);
        assertThat(asWritten.evaluation().enforce()).extracting(Violation::rule)
                .containsExactly("allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot", "seccompProfile_restricted");

        Judgement create = Engine.standard().judge(pod, policy, request, Stage.CREATE);
        assertThat(create.patch().toString()).isEqualTo(mutate.patch().toString());
        assertThat(create.evaluation().enforce()).extracting(Violation::rule).containsExactly("capabilities_restricted", "runAsNonRoot");
        assertThat(create.stored().podSpec().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        // /validate judges a Pod as sent: every mutating webhook has run by then.
        assertThat(Engine.standard().judge(pod, policy, request, Stage.VALIDATE).evaluation()).isEqualTo(asWritten.evaluation());
    }

    @Test
    void judgeWhenWorkloadThenTemplateJudgedAfterDefaultsButNoPatchForTheWorkload() {
        var policy = io.podguard.policy.PolicyCompiler.compile(PolicyLoader.parse("mode: enforce\npodSecurity: {level: restricted}\n"));
        String deployment = """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},
                 "spec":{"template":{"spec":{"securityContext":{"runAsNonRoot":true},
                   "containers":[{"name":"app","image":"nginx","securityContext":{"capabilities":{"drop":["ALL"]}}}]}}}}""";
        PodObject pod = PodExtractor.extract("Deployment", tools.jackson.databind.json.JsonMapper.shared().readTree(deployment)).orElseThrow();

        Judgement validate = Engine.standard().judge(pod, policy, RequestInfo.offline("shop"), Stage.VALIDATE);
        assertThat(validate.patch()).isEmpty();
        assertThat(validate.defaults()).extracting(d -> d.entry())
                .containsExactly("resources (container app)", "preStop (container app)", "securityContext (container app)", "securityContext (pod)");
        assertThat(validate.evaluation().enforce()).isEmpty();
        assertThat(Engine.standard().judge(pod, policy, RequestInfo.offline("shop"), Stage.AS_WRITTEN).evaluation().enforce())
                .extracting(Violation::rule).containsExactly("allowPrivilegeEscalation", "seccompProfile_restricted");
    }
}
