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
 * Reviews of the shapes kube-apiserver sends, judged before podguard reports ready: a pod CREATE
 * on {@code /mutate} and on {@code /validate} (with {@code managedFields} and, for validation,
 * every field the apiserver defaulted), and an UPDATE with its {@code oldObject} on
 * {@code /validate}. The JIT then has profiled the request path on the shapes it will see and
 * compiles it for them, instead of compiling, and compiling again, while the first pod creates
 * wait: at a few hundred creates per second that took minutes, and a stalled webhook makes the
 * apiserver open (and, past its idle pool of 25, close again) a TLS connection per request in
 * flight.
 *
 * <p>It runs on a thread of its own from the moment the engine and the policy exist, alongside the
 * rest of the start-up, with the policy in force but without observers (nothing counted, logged
 * or reported) and without namespace lookups (no apiserver call). Readiness waits for it
 * ({@value #CONDITION}); how long it took is logged. A failure only ends it early.
 */
final class ReviewWarmUp {

    static final String CONDITION = "warm-up";
    /** Rounds of the three samples by default: enough for the JIT's first tiers to have profiled them. */
    static final int DEFAULT_ROUNDS = 200;

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
    private final Readiness readiness;

    /** @param rounds how many times each sample is judged; 0: none */
    ReviewWarmUp(Engine engine, PolicyResolver resolver, Readiness readiness, int rounds) {
        this.handler = new AdmissionHandler(engine, () -> resolver, ReviewObserver.NONE);
        this.samples = SAMPLES.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> new Sample(e.getValue(), sample(e.getKey()))).toList();
        this.rounds = rounds;
        this.readiness = readiness;
    }

    /** The warm-up of {@code policy} as the server holds it, minus what would reach the cluster. */
    static ReviewWarmUp of(Engine engine, io.podguard.policy.Policy policy, Readiness readiness, int rounds) {
        PolicyResolver resolver = new ConfiguredPolicyResolver(policy, NamespaceLabels.NONE, NamespaceLimits.NONE, Clock.systemUTC(),
                (index, exemption) -> { });
        return new ReviewWarmUp(engine, resolver, readiness, rounds);
    }

    /** Blocks readiness and starts; readiness is released when it ends, however it ends. */
    void start() {
        if (rounds <= 0) {
            return;
        }
        readiness.block(CONDITION, "judging " + rounds * samples.size() + " sample reviews");
        Thread.ofPlatform().daemon().name("podguard-warm-up").start(this::run);
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
            readiness.ready(CONDITION);
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
