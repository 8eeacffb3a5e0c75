package io.podguard.engine.rules;

import dev.cel.runtime.CelVariableResolver;
import io.podguard.admission.AdmissionRequest;
import io.podguard.admission.AdmissionReviewCodec;
import io.podguard.bench.TwentyRules;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.policy.PolicyStore;
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
import tools.jackson.core.JsonParser;

/**
 * The two parts of what 20 CEL rules (CelRuleBenchmark's) add to a /validate review of the pod
 * every rule allows (bench/reviews/pod-review-rules.json), apart: building what they read while
 * the pod is typed ({@link #typedAndBuilt} against {@link #typed}; {@link #builtAlone} is the
 * same object built in a pass of its own), and evaluating the rules over it ({@link #evaluated});
 * their expressions alone, run as code ({@link #expressionsAsCode}) and walked as trees
 * ({@link #expressionsWalked}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "--sun-misc-unsafe-memory-access=allow"})
public class CelRulePartsBenchmark {

    private AdmissionRequest request;
    private CelProjection reads;
    private CelRules rules;
    private PodObject pod;
    private RequestInfo info;

    @Setup
    public void setUp() throws Exception {
        request = AdmissionReviewCodec.decode(Files.readAllBytes(Path.of("bench/reviews/pod-review-rules.json")));
        PolicyResolver resolver = new PolicyStore(PolicyLoader.parse(TwentyRules.policy()), "twenty rules").resolver();
        reads = resolver.celReads();
        info = new RequestInfo("default", "someone", List.of(), false, "", null, false, null);
        pod = typedAndBuilt();
        rules = resolver.resolveForAdmission(info, pod).rule(CelRules.class);
    }

    /** The pod typed from its bytes, as without rules. */
    @Benchmark
    public PodObject typed() {
        return PodExtractor.extract(request.kind(), request.sentObject(), false, null).orElseThrow();
    }

    /** The pod typed from its bytes, and what the rules read of it built on the way (as the server does). */
    @Benchmark
    public PodObject typedAndBuilt() {
        CelJson.OnePass onePass = new CelJson.OnePass(reads, request.sentObject()::parserAt);
        PodObject p = PodExtractor.extract(request.kind(), request.sentObject(), false, onePass::through).orElseThrow();
        onePass.give(p);
        return p;
    }

    /** What the rules read of the pod, built in a pass of its own over the bytes. */
    @Benchmark
    public Object builtAlone() {
        try (JsonParser parser = request.sentObject().parser()) {
            return CelJson.read(parser, reads, request.sentObject()::parserAt).value();
        }
    }

    /** The 20 rules judging the pod built once (their variables included), as CelRulesKind runs them. */
    @Benchmark
    public int evaluated() {
        RuleInput input = RuleInput.of(pod, info);
        CelProjection sent = rules.reads().asSent(pod.podPointer());
        CelVariableResolver vars = input.variables(sent);
        CostBound.Size sizes = input.sizes(sent);
        int violated = 0;
        for (CelRules.Entry e : rules.rules()) {
            if (e.rule().evaluate(vars, sizes) != null) {
                violated++;
            }
        }
        return violated;
    }

    /**
     * The expressions that decide the 20 rules (their match conditions and expressions, no message),
     * alone, each run as the code made of it when the policy loads ({@link DirectCode}).
     */
    @Benchmark
    public int expressionsAsCode() {
        return expressions(true);
    }

    /** The same expressions, each walked as a tree (as one too large to be compiled is). */
    @Benchmark
    public int expressionsWalked() {
        return expressions(false);
    }

    private int expressions(boolean asCode) {
        CelVariableResolver base = RuleInput.of(pod, info).variables(rules.reads().asSent(pod.podPointer()));
        int holding = 0;
        for (CelRules.Entry e : rules.rules()) {
            CelRule rule = e.rule();
            CelVariableResolver vars = rule.variables().isEmpty() ? base : new LazyVariables(rule.variables(), base, false).resolver();
            for (CompiledExpression x : rule.deciding()) {
                if (x.direct().eval(vars, asCode) == Boolean.TRUE) {
                    holding++;
                }
            }
        }
        return holding;
    }
}
