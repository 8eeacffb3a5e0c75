package io.podguard.bench;

import io.podguard.admission.AdmissionHandler;
import io.podguard.report.ReviewObserver;
import io.podguard.admission.AdmissionRequest;
import io.podguard.admission.AdmissionResponse;
import io.podguard.admission.AdmissionReviewCodec;
import io.podguard.admission.BadReviewException;
import io.podguard.admission.Endpoint;
import io.podguard.engine.Engine;
import io.podguard.engine.Evaluation;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Judgement;
import io.podguard.engine.Stage;
import io.podguard.engine.EffectivePolicy;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyStore;
import io.podguard.engine.RequestInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * One review of the benchmark's 4.6 KB pod (bench/reviews/pod-review.json), piece by piece, under
 * the embedded default policy (restricted, defaults on): what each stage of the request path costs
 * without HTTP, TLS or Tomcat.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC"})
public class ReviewBenchmark {

    private byte[] body;
    private AdmissionRequest request;
    private PodObject pod;
    private EffectivePolicy policy;
    private Engine engine;
    private AdmissionHandler handler;
    private RequestInfo info;
    private AdmissionResponse denial;

    @Setup
    public void setUp() throws IOException, BadReviewException {
        body = Files.readAllBytes(Path.of(System.getProperty("podguard.review", "bench/reviews/pod-review.json")));
        PolicyStore store = new PolicyStore(PolicyLoader.embeddedDefault(), "embedded default");
        engine = Engine.standard();
        handler = new AdmissionHandler(engine, store::resolver, ReviewObserver.NONE);
        request = AdmissionReviewCodec.decode(body);
        pod = PodExtractor.extract(request.kind(), request.object()).orElseThrow();
        info = new RequestInfo(request.namespace(), request.username(), request.groups());
        policy = store.resolver().resolve(info, pod);
        denial = new AdmissionResponse(request.uid(), false, 403,
                "violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false)",
                null, List.of("would violate PodSecurity \"restricted:latest\": runAsNonRoot != true"), Map.of(), "enforce");
    }

    /** Bytes to {@link AdmissionRequest}: the request's fields, the object read in full and kept as its bytes. */
    @Benchmark
    public AdmissionRequest codecDecode() throws BadReviewException {
        return AdmissionReviewCodec.decode(body);
    }

    /** A denial with a warning, to bytes. */
    @Benchmark
    public byte[] codecEncode() {
        return AdmissionReviewCodec.encode(request.apiVersion(), denial);
    }

    /** The pod's metadata and spec into fabric8's typed model, straight from the bytes of the review (as the handler reads it). */
    @Benchmark
    public PodObject podExtract() {
        return PodExtractor.extract(request.kind(), request.sentObject()).orElseThrow();
    }

    /** What /validate asks of the engine: restricted evaluation in every mode of the default policy (enforce, audit, warn). */
    @Benchmark
    public Evaluation engineEvaluate() {
        return engine.judge(pod, policy, info, Stage.VALIDATE).evaluation();
    }

    /** What /mutate asks of the engine: every defaulter plus the JSON Patch against the object as sent. */
    @Benchmark
    public Judgement engineMutate() {
        return engine.judge(pod, policy, info, Stage.MUTATE);
    }

    /** The engine target: full restricted evaluation plus defaults on one pod. */
    @Benchmark
    public void engineEvaluateAndMutate(Blackhole bh) {
        bh.consume(engine.judge(pod, policy, info, Stage.VALIDATE).evaluation());
        bh.consume(engine.judge(pod, policy, info, Stage.MUTATE));
    }

    /** /validate from request bytes to response bytes, without HTTP. */
    @Benchmark
    public byte[] handleValidate() throws BadReviewException {
        return handler.handle(Endpoint.VALIDATE, body);
    }

    /** /mutate from request bytes to response bytes, without HTTP. */
    @Benchmark
    public byte[] handleMutate() throws BadReviewException {
        return handler.handle(Endpoint.MUTATE, body);
    }
}
