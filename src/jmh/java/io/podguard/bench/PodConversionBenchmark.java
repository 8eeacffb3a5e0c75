package io.podguard.bench;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.podguard.engine.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import tools.jackson.databind.JsonNode;

/** Ways to turn the benchmark pod's spec from a JSON tree into fabric8's {@link PodSpec}. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC"})
public class PodConversionBenchmark {

    private JsonNode spec;
    private byte[] specBytes;

    @Setup
    public void setUp() throws IOException {
        JsonNode review = Json.mapper().readTree(Files.readAllBytes(
                Path.of(System.getProperty("podguard.review", "bench/reviews/pod-review.json"))));
        spec = review.at("/request/object/spec");
        specBytes = Json.mapper().writeValueAsBytes(spec);
    }

    /** fabric8's convertValue: copies the tree into a token buffer, then reads that. */
    @Benchmark
    public PodSpec convertValue() {
        return Json.serialization().convertValue(spec, PodSpec.class);
    }

    /** A reader built once, walking the tree. */
    @Benchmark
    public PodSpec treeReader() {
        return Json.podSpec(spec);
    }

    /** For scale: reading the spec's bytes, no tree. */
    @Benchmark
    public PodSpec bytesReader() {
        return Json.serialization().unmarshal(new java.io.ByteArrayInputStream(specBytes), PodSpec.class);
    }

    /** For scale: the tree alone, from the spec's bytes. */
    @Benchmark
    public JsonNode treeOnly() {
        return Json.mapper().readTree(specBytes);
    }
}
