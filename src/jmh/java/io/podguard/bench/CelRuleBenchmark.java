package io.podguard.bench;

import io.podguard.admission.AdmissionHandler;
import io.podguard.report.ReviewObserver;
import io.podguard.admission.AdmissionRequest;
import io.podguard.admission.AdmissionReviewCodec;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.rules.CelRule;
import io.podguard.engine.rules.RuleInput;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CEL rules on the benchmark's 4.6 KB pod (bench/reviews/pod-review.json): one compiled rule
 * (target: 5 µs or less), and a whole /validate review under the embedded default with 20 rules
 * (the cookbook's ten, twice) against the same without rules (target: 0.8 of its throughput or
 * more; without HTTP and TLS, which the two share, so the ratio here is the lower bound).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "--sun-misc-unsafe-memory-access=allow"})
public class CelRuleBenchmark {

    private byte[] body;
    private RuleInput input;
    private CelRule noLatest;
    private AdmissionHandler withoutRules;
    private AdmissionHandler withRules;

    @Setup
    public void setUp() throws IOException, BadReviewException {
        body = Files.readAllBytes(Path.of(System.getProperty("podguard.review", "bench/reviews/pod-review.json")));
        AdmissionRequest request = AdmissionReviewCodec.decode(body);
        PodObject pod = PodExtractor.extract(request.kind(), request.object()).orElseThrow();
        input = RuleInput.offline(pod);
        noLatest = CelRule.compile("no-latest", "object.spec.containers.all(c, !c.image.endsWith(':latest'))",
                List.of(), List.of(), "no latest", null);
        String twenty = TwentyRules.policy();
        withoutRules = new AdmissionHandler(Engine.standard(), new PolicyStore(PolicyLoader.embeddedDefault(), "default")::resolver,
                ReviewObserver.NONE);
        withRules = new AdmissionHandler(Engine.standard(), new PolicyStore(PolicyLoader.parse(twenty), "twenty rules")::resolver,
                ReviewObserver.NONE);
    }

    /** One compiled rule judging the pod, its variables (object, request …) included. */
    @Benchmark
    public Violation oneRule() {
        return noLatest.evaluate(input);
    }

    /** A whole /validate review under the embedded default, without rules. */
    @Benchmark
    public byte[] validateWithoutRules() throws BadReviewException {
        return withoutRules.handle(Endpoint.VALIDATE, body);
    }

    /** The same review with 20 CEL rules besides the Pod Security Standards. */
    @Benchmark
    public byte[] validateWithTwentyRules() throws BadReviewException {
        return withRules.handle(Endpoint.VALIDATE, body);
    }
}
