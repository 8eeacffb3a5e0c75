package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.podguard.engine.Json;
import io.podguard.engine.rules.KubernetesCel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The functions of podguard's CEL environment against those of the environment kube-apiserver
 * v1.37 compiles a new ValidatingAdmissionPolicy in, listed by {@code celeval -functions}
 * (k8s.io/apiserver's own, built by {@code build.sh}): every overload, by name, receiver,
 * argument and result types (type parameters renamed in order, as the two name them
 * differently). What one has and the other lacks must be listed in {@link #KNOWN} with its reason.
 */
class CelFunctionsDifferentialIT {

    /** Overloads (as {@link #signature} writes them) found on one side only, and why. */
    private static final Map<String, String> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("upstream in(T1, list(T1)) -> bool", "the old name of the in operator: `in` is a reserved word, no expression can call it");
        KNOWN.put("upstream in(T1, map(T1, T2)) -> bool", "the old name of the in operator: `in` is a reserved word, no expression can call it");
        for (String t : List.of("bool", "bytes", "double", "google.protobuf.Duration", "google.protobuf.Timestamp", "int", "string", "uint")) {
            KNOWN.put("upstream list(T1).@sortByAssociatedKeys(list(" + t + ")) -> list(T1)",
                    "internal to the sortBy macro, which cel-java expands to lists.@sortByAssociatedKeys: sortBy by keys without an order "
                            + "fails when evaluated rather than when compiled");
        }
        KNOWN.put("podguard lists.@sortByAssociatedKeys(list(T1)) -> list(T1)", "cel-java's expansion of the sortBy macro (see above)");
    }

    @Test
    void podguardDeclaresTheFunctionsTheApiserverDeclares() throws Exception {
        TreeSet<String> upstream = new TreeSet<>();
        for (JsonNode o : celevalFunctions()) {
            List<String> args = new ArrayList<>();
            o.path("args").forEach(a -> args.add(a.asString()));
            upstream.add(signature(o.get("name").asString(), o.get("member").asBoolean(), args, o.get("result").asString()));
        }
        TreeSet<String> ours = new TreeSet<>();
        for (KubernetesCel.Overload o : KubernetesCel.get().declarations()) {
            ours.add(signature(o.name(), o.member(), o.args(), o.result()));
        }
        List<String> missing = new ArrayList<>();
        for (String s : upstream) {
            if (!ours.contains(s) && !KNOWN.containsKey("upstream " + s)) {
                missing.add(s);
            }
        }
        List<String> extra = new ArrayList<>();
        for (String s : ours) {
            if (!upstream.contains(s) && !KNOWN.containsKey("podguard " + s)) {
                extra.add(s);
            }
        }
        assertThat(upstream).as("celeval listed the apiserver's functions").hasSizeGreaterThan(300);
        assertThat(List.of(missing, extra)).as("overloads of the apiserver that podguard lacks, and podguard's that the apiserver lacks")
                .containsExactly(List.of(), List.of());
    }

    private static final Pattern TYPE_PARAM = Pattern.compile("\\b[A-Z][A-Z0-9]?\\b");

    /** {@code name(T1, list(T1)) -> T1}, the receiver first for a member function ({@code list(T1).name() -> T1}). */
    static String signature(String name, boolean member, List<String> args, String result) {
        String text = (member ? args.getFirst() + "." + name + "(" + String.join(", ", args.subList(1, args.size())) + ")"
                : name + "(" + String.join(", ", args) + ")") + " -> " + result;
        text = text.replaceAll("<(\\w+)>", "$1"); // cel-go writes a type parameter <A>
        Map<String, String> renamed = new LinkedHashMap<>();
        Matcher m = TYPE_PARAM.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = renamed.computeIfAbsent(m.group(), k -> "T" + (renamed.size() + 1));
            m.appendReplacement(out, replacement);
        }
        m.appendTail(out);
        return out.toString();
    }

    private static JsonNode celevalFunctions() throws Exception {
        Path binary = Path.of(System.getProperty("podguard.e2e.celeval", "target/e2e-bin/celeval")).toAbsolutePath();
        if (!Files.isExecutable(binary)) {
            fail("celeval not found at " + binary + ": build it with src/test/cluster/build.sh");
        }
        Path out = Files.createTempFile("celeval", ".json");
        try {
            Process p = new ProcessBuilder(binary.toString(), "-functions").redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                fail("celeval -functions failed");
            }
            return Json.mapper().readTree(Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
