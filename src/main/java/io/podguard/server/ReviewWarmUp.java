package io.podguard.server;

import io.podguard.admission.AdmissionHandler;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.policy.ConfiguredPolicyResolver;
import io.podguard.policy.NamespaceLabels;
import io.podguard.policy.NamespaceLimits;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.ReviewObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reviews of the shapes kube-apiserver sends, judged as podguard starts: a pod CREATE on
 * {@code /mutate} and on {@code /validate} (with {@code managedFields} and, for validation,
 * every field the apiserver defaulted), and an UPDATE with its {@code oldObject} on
 * {@code /validate}. The JIT then has profiled the request path on the shapes it will see and
 * compiles it for them, instead of compiling, and compiling again, while the first pod creates
 * wait: a webhook that stalls makes the apiserver open (and, past its idle pool of 25, close
 * again) a TLS connection per request in flight, which costs far more than the reviews.
 *
 * <p>It runs on a thread of its own from the moment the engine and the policy exist, alongside
 * the rest of the start-up, with the policy in force but without observers (nothing counted,
 * logged or reported) and without namespace lookups (no apiserver call); readiness does not wait
 * for it. How long it took is logged; a failure only ends it.
 *
 * <p>Off by default ({@code podguard.warm-up-rounds=0}): measured on two shared cores, 200
 * rounds took 0.6–1.7 s and made {@code /readyz} answer later (medians of three starts of the
 * plain jar: 3.8 → 4.4 s when readiness waited for it, 3.9 → 5.0 s when it did not, the
 * start-up sharing the CPU with it), and lowered podguard's CPU per review in the
 * first 10 s at 350 creates/s by only 9 %: the C2 compiler's work, most of that CPU, is not
 * done sooner by a few hundred reviews. A Java AOT cache trained on these samples would carry
 * the profiles without the start-up cost.
 */
final class ReviewWarmUp {

    /** Rounds of the three samples by default: none (see above). */
    static final int DEFAULT_ROUNDS = 0;

    private static final Logger LOG = LoggerFactory.getLogger(ReviewWarmUp.class);
    /** The sample reviews (resources beside this class) and the endpoint each goes to. */
    private static final Map<String, Endpoint> SAMPLES = Map.of(
            "mutate-create", Endpoint.MUTATE,
            "validate-create", Endpoint.VALIDATE,
            "validate-update", Endpoint.VALIDATE);

    private record Sample(Endpoint endpoint, byte[] body) {
    }

    private final AdmissionHandler handler;
    private final List<Sample> samples;
    private final int rounds;

    /** @param rounds how many times each sample is judged; 0: none */
    ReviewWarmUp(Engine engine, PolicyResolver resolver, int rounds) {
        this.handler = new AdmissionHandler(engine, () -> resolver, ReviewObserver.NONE);
        this.samples = SAMPLES.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> new Sample(e.getValue(), sample(e.getKey()))).toList();
        this.rounds = rounds;
    }

    /** The warm-up of {@code policy} as the server holds it, minus what would reach the cluster. */
    static ReviewWarmUp of(Engine engine, io.podguard.policy.Policy policy, int rounds) {
        PolicyResolver resolver = new ConfiguredPolicyResolver(policy, NamespaceLabels.NONE, NamespaceLimits.NONE, Clock.systemUTC(),
                (index, exemption) -> { });
        return new ReviewWarmUp(engine, resolver, rounds);
    }

    /** Starts on a thread of its own. */
    void start() {
        if (rounds > 0) {
            Thread.ofPlatform().daemon().name("podguard-warm-up").start(this::run);
        }
    }

    /** @return how many reviews were judged */
    int run() {
        long start = System.nanoTime();
        int judged = 0;
        try {
            for (int i = 0; i < rounds; i++) {
                for (Sample s : samples) {
                    handler.handle(s.endpoint(), s.body());
                    judged++;
                }
            }
        } catch (Exception | StackOverflowError e) {
            LOG.warn("warm-up ended after {} sample reviews: {}", judged, e.toString());
        } finally {
            LOG.info("warm-up: {} sample reviews judged in {} ms", judged, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        return judged;
    }

    private static byte[] sample(String name) {
        try (InputStream in = ReviewWarmUp.class.getResourceAsStream("warm-up/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("warm-up sample " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
