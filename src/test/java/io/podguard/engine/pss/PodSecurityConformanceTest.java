package io.podguard.engine.pss;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.admission.AdmissionHandler;
import io.podguard.report.ReviewObserver;
import io.podguard.admission.AdmissionRequest;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Json;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.pss.ConformanceFixtures.Fixture;
import io.podguard.engine.defaults.DefaultsConfig;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Mode;
import io.podguard.policy.PodSecurityConfig;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyResolver;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pod Security Admission's own fixtures, every level and version, with defaults off and mode
 * enforce: each pass pod is allowed and each fail pod is denied by the check its file names,
 * through the engine and through the {@code review} code path ({@link AdmissionHandler}).
 */
class PodSecurityConformanceTest {

    private static final List<Fixture> FIXTURES = ConformanceFixtures.all();
    private static final Map<LevelVersion, AdmissionHandler> HANDLERS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Evaluation> LAST_EVALUATION = new ThreadLocal<>();

    static List<Fixture> fixtures() {
        return FIXTURES;
    }

    @Test
    void fixturesWhenReadThenEveryLevelAndVersionHasPassAndFailPods() {
        long levelsAndVersions = FIXTURES.stream().map(f -> f.level() + "/" + f.version()).distinct().count();
        assertThat(levelsAndVersions).isEqualTo(2L * 38);
        assertThat(FIXTURES.stream().filter(Fixture::pass).count()).isGreaterThan(0);
        assertThat(FIXTURES.stream().filter(f -> !f.pass()).count()).isGreaterThan(0);
        // Every fixture upstream ships (4,537 at k8s.io/pod-security-admission v0.37.2), none left out.
        assertThat(FIXTURES).hasSizeGreaterThanOrEqualTo(4_537);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void engineWhenFixtureThenVerdictAsPsa(Fixture fixture) {
        PodObject pod = PodExtractor.extract("Pod", fixture.pod()).orElseThrow();
        LevelVersion lv = new LevelVersion(fixture.level(), fixture.version());
        EffectivePolicy policy = io.podguard.testing.Judging.levels(lv, null, null, new DefaultsConfig(false, null));

        List<Violation> violations = io.podguard.testing.Judging.evaluate(pod, policy).enforce();

        if (fixture.pass()) {
            assertThat(violations).as("%s must be allowed", fixture).isEmpty();
        } else {
            assertThat(violations).as("%s must be denied by %s", fixture, fixture.checkId())
                    .extracting(v -> v.rule().toLowerCase(Locale.ROOT))
                    .containsAnyElementsOf(expectedRules(fixture));
            assertThat(violations).allSatisfy(v -> assertThat(v.path()).isNotEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void reviewWhenFixtureThenVerdictAsPsa(Fixture fixture) throws BadReviewException {
        LevelVersion lv = new LevelVersion(fixture.level(), fixture.version());
        AdmissionHandler handler = HANDLERS.computeIfAbsent(lv, PodSecurityConformanceTest::handler);

        LAST_EVALUATION.remove();
        JsonNode response = Json.mapper().readTree(handler.handle(Endpoint.VALIDATE, review(fixture.pod()))).get("response");
        Evaluation evaluation = LAST_EVALUATION.get();

        assertThat(response.get("uid").asString()).isEqualTo("conformance");
        assertThat(evaluation).as("%s was evaluated", fixture).isNotNull();
        if (fixture.pass()) {
            assertThat(response.get("allowed").asBoolean()).as("%s must be allowed", fixture).isTrue();
            assertThat(evaluation.enforce()).isEmpty();
        } else {
            assertThat(response.get("allowed").asBoolean()).as("%s must be denied", fixture).isFalse();
            assertThat(response.at("/status/code").asInt()).isEqualTo(403);
            assertThat(evaluation.enforce()).extracting(v -> v.rule().toLowerCase(Locale.ROOT))
                    .containsAnyElementsOf(expectedRules(fixture));
            assertThat(response.at("/status/message").asString())
                    .isEqualTo(PodSecurityEvaluator.denialMessage(lv, evaluation.enforce()));
        }
    }

    /**
     * The fixture's own check, and at the restricted level the restricted check that replaces it
     * there (PSA runs {@code seccompProfile_restricted} instead of {@code seccompProfile_baseline},
     * so a baseline fail fixture copied to restricted is denied under the restricted id). The
     * overrides come from the registry, not from this test.
     */
    static Set<String> expectedRules(Fixture fixture) {
        Set<String> rules = new HashSet<>();
        rules.add(fixture.checkId());
        LevelVersion lv = new LevelVersion(fixture.level(), fixture.version());
        for (CheckRegistry.Entry entry : PodSecurityChecks.registry().plan(lv)) {
            for (String overridden : entry.version().overrides()) {
                if (overridden.toLowerCase(Locale.ROOT).equals(fixture.checkId())) {
                    rules.add(entry.check().id().toLowerCase(Locale.ROOT));
                }
            }
        }
        return rules;
    }

    private static AdmissionHandler handler(LevelVersion lv) {
        Policy policy = new Policy(null, null, Mode.ENFORCE,
                new PodSecurityConfig(lv.level().id(), lv.version().toString(), null, null, null),
                new DefaultsConfig(false, null));
        PolicyResolver resolver = PolicyResolver.fixed(policy);
        ReviewObserver capture = new ReviewObserver() {
            @Override
            public void evaluated(io.podguard.report.Review review, EffectivePolicy effective, io.podguard.engine.Judgement judgement) {
                    Evaluation evaluation = judgement.evaluation();
                LAST_EVALUATION.set(evaluation);
            }
        };
        return new AdmissionHandler(Engine.standard(), () -> resolver, capture);
    }

    private static byte[] review(ObjectNode pod) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("apiVersion", "admission.k8s.io/v1");
        root.put("kind", "AdmissionReview");
        ObjectNode request = root.putObject("request");
        request.put("uid", "conformance");
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("operation", "CREATE");
        request.put("namespace", "conformance");
        request.set("object", pod);
        return Json.mapper().writeValueAsBytes(root);
    }
}
