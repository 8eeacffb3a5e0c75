package io.podguard.cli;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.podguard.cli.CheckManifests.Manifest;
import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Engine;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Json;
import io.podguard.engine.Judgement;
import io.podguard.engine.KindVerdict;
import io.podguard.engine.MatchedExemption;
import io.podguard.engine.Mode;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.Stage;
import io.podguard.engine.Violation;
import io.podguard.engine.defaults.AppliedDefault;
import io.podguard.engine.defaults.DefaultsReport;
import io.podguard.policy.PolicyResolver;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Evaluates manifests offline, Pods and workloads alike (a workload by its pod template), through
 * the engine's one entry point: by default as the cluster would decide a create (podguard's
 * defaults first, as the mutating webhook runs before the validating one), saying which defaults
 * it assumed; with {@code --no-defaults}, as written. It reports every problem of the run rather
 * than stopping at the first: files that are not Kubernetes manifests are skipped, broken ones are
 * errors, duplicate keys and unknown fields are warnings. Exit 0 when every object is allowed, 1
 * when any is denied (violates what the policy enforces), 2 when nothing could be judged because
 * of errors, on any problem with {@code --strict}, on an empty run with {@code --fail-on-empty},
 * or on a bad policy.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Evaluate manifests (Pods and workloads) offline against a policy.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every object is allowed", "1:an object is denied",
                "2:nothing could be judged because of errors; with --strict, any error, skipped file, duplicate key or unknown field; "
                        + "with --fail-on-empty, nothing to judge; a bad policy"})
public final class CheckCommand implements Callable<Integer> {

    static final int ALLOWED = 0;
    static final int DENIED = 1;
    static final int BAD_INPUT = 2;

    private static final Pattern CONTAINER_PATH = Pattern.compile("(initContainers|containers|ephemeralContainers)\\[(\\d+)]");

    @Mixin
    PolicyOption policy;

    @Option(names = {"-o", "--output"}, paramLabel = "text|json", description = "Output format (default: text).")
    String output = "text";

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE",
            description = "Namespace of objects that set none (as kubectl apply -n): namespace overrides and exemptions apply to it.")
    String namespace;

    @Option(names = {"-v", "--verbose"}, description = "Also list each skipped file and each object of a kind podguard does not judge.")
    boolean verbose;

    @Option(names = "--strict", description = "Exit 2 on any error, skipped file, duplicate key or unknown field.")
    boolean strict;

    @Option(names = "--fail-on-empty", description = "Exit 2 when there is nothing to judge (no Pod or workload).")
    boolean failOnEmpty;

    @Option(names = "--no-defaults",
            description = "Judge the objects as written; by default they are judged after podguard's defaults, as the cluster would store them.")
    boolean noDefaults;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files, folders (searched for *.yaml, *.yml, *.json), or - for standard input.")
    List<String> paths = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /**
     * One judged object.
     *
     * @param patch what the mutating webhook would answer for it
     * @param pod the pod as judged: after the defaults assumed
     * @param defaults the defaults assumed set before it was judged
     * @param exemptions the reasons of the exemptions that made a difference to it
     */
    record Result(String file, String kind, @Nullable String namespace, @Nullable String name, boolean allowed,
            List<Reported> violations, ArrayNode patch, PodObject pod, List<AppliedDefault> defaults, List<String> exemptions) {
    }

    /**
     * A violation, the modes that found it (enforce, warn, audit, in that order) and the Pod
     * Security Standards level each judged at ({@code restricted:latest}; empty for rules without one).
     */
    record Reported(Violation violation, List<String> modes, List<String> levels) {
        /** What the cluster does about it: deny (enforce), else warn, else audit. */
        String outcome() {
            return modes.contains("enforce") ? "deny" : modes.contains("warn") ? "warn" : "audit";
        }

        String mode() {
            return modes.getFirst();
        }
    }

    /** Counts for the summary. */
    record Run(List<Result> results, Map<String, Integer> otherKinds, List<String> incomplete, List<String> errors) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!"text".equals(output) && !"json".equals(output)) {
            err.println("podguard: --output \"" + output + "\" is not one of text, json");
            return BAD_INPUT;
        }
        PolicyResolver resolver;
        try {
            resolver = PolicyResolver.fixed(policy.load());
        } catch (IllegalArgumentException e) {
            err.println("podguard: " + e.getMessage());
            err.flush();
            return BAD_INPUT;
        }
        CheckManifests.Input input = CheckManifests.read(paths, System.in);
        Run run = judge(input.manifests(), resolver, namespace, noDefaults ? Stage.AS_WRITTEN : Stage.CREATE);
        List<String> errors = new ArrayList<>(input.errors());
        errors.addAll(run.errors());
        List<String> warnings = new ArrayList<>(input.warnings());
        for (Result r : run.results()) {
            for (String field : ManifestLint.unknownFields(r.kind(), r.pod().object())) {
                warnings.add(r.file() + ": " + object(r) + ": unknown field \"" + field + "\"");
            }
        }
        for (String e : errors) {
            err.println("podguard: error: " + e);
        }
        for (String w : warnings) {
            err.println("podguard: warning: " + w);
        }
        for (String incomplete : run.incomplete()) {
            err.println("podguard: skipped: " + incomplete);
        }
        if (verbose) {
            for (CheckManifests.Skipped s : input.skipped()) {
                err.println("podguard: skipped: " + s.file() + ": " + s.reason());
            }
        }
        long helm = input.skipped().stream().filter(CheckManifests.Skipped::helmTemplate).count();
        if (helm > 0) {
            err.println("podguard: hint: " + helm + (helm == 1 ? " file is a Helm template" : " files are Helm templates")
                    + ", judged once rendered: helm template RELEASE CHART | podguard check -");
        }
        err.flush();
        if ("json".equals(output)) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json(run.results())));
        } else {
            text(run.results(), out);
            out.println(summary(input, run, errors.size(), warnings.size()));
        }
        out.flush();
        boolean problems = !errors.isEmpty() || !warnings.isEmpty() || !input.skipped().isEmpty() || !run.incomplete().isEmpty();
        if (!errors.isEmpty() && run.results().isEmpty() || strict && problems || failOnEmpty && run.results().isEmpty()) {
            return BAD_INPUT;
        }
        return run.results().stream().allMatch(Result::allowed) ? ALLOWED : DENIED;
    }

    /**
     * {@code 3 objects judged: 1 denied; 2 objects of other kinds (Service, ConfigMap); 1 file skipped (-v lists it); 1 error}.
     * An empty run says so.
     */
    static String summary(CheckManifests.Input input, Run run, int errors, int warnings) {
        List<String> parts = new ArrayList<>();
        int judged = run.results().size();
        long denied = run.results().stream().filter(r -> !r.allowed()).count();
        if (judged == 0) {
            parts.add("nothing to judge: no Pod or workload in " + count(input.files(), "file"));
        } else {
            parts.add(count(judged, "object") + " judged: " + denied + " denied");
        }
        int others = run.otherKinds().values().stream().mapToInt(Integer::intValue).sum();
        if (others > 0) {
            parts.add(count(others, "object") + " of other kinds (" + String.join(", ", run.otherKinds().keySet()) + ")");
        }
        if (!run.incomplete().isEmpty()) {
            parts.add(count(run.incomplete().size(), "incomplete object") + " skipped");
        }
        if (!input.skipped().isEmpty()) {
            parts.add(count(input.skipped().size(), "file") + " skipped (not Kubernetes manifests" + (input.skipped().size() == 1 ? "; -v lists it)" : "; -v lists them)"));
        }
        if (errors > 0) {
            parts.add(count(errors, "error"));
        }
        if (warnings > 0) {
            parts.add(count(warnings, "warning"));
        }
        return String.join("; ", parts);
    }

    private static String count(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /** Judges {@code manifests} as the cluster would store them ({@link Stage#CREATE}). */
    static Run judge(List<Manifest> manifests, PolicyResolver resolver, @Nullable String defaultNamespace) {
        return judge(manifests, resolver, defaultNamespace, Stage.CREATE);
    }

    static Run judge(List<Manifest> manifests, PolicyResolver resolver, @Nullable String defaultNamespace, Stage stage) {
        Engine engine = Engine.standard();
        List<Result> results = new ArrayList<>();
        Map<String, Integer> otherKinds = new LinkedHashMap<>();
        List<String> incomplete = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Manifest manifest : manifests) {
            String kind = manifest.kind();
            if (!PodExtractor.judges(kind)) {
                otherKinds.merge(kind, 1, Integer::sum);
                continue;
            }
            Optional<PodObject> found;
            try {
                found = PodExtractor.extract(kind, manifest.object());
            } catch (IllegalArgumentException e) {
                errors.add(manifest.file() + ": " + kind + " " + nameOf(manifest.object()) + ": " + e.getMessage());
                continue;
            }
            if (found.isEmpty()) {
                incomplete.add(manifest.file() + ": " + kind + " " + nameOf(manifest.object())
                        + ": no pod template (a kustomize patch? judge the output of kustomize build)");
                continue;
            }
            PodObject pod = found.get();
            String ns = pod.namespace() != null ? pod.namespace() : defaultNamespace;
            RequestInfo request = RequestInfo.offline(ns);
            EffectivePolicy effective = resolver.resolve(request, pod);
            Judgement judgement = engine.judge(pod, effective, request, stage);
            Evaluation evaluation = judgement.evaluation();
            Map<String, Reported> reported = new LinkedHashMap<>();
            for (Mode mode : List.of(Mode.ENFORCE, Mode.WARN, Mode.AUDIT)) {
                for (KindVerdict verdict : evaluation.verdicts(mode)) {
                    add(reported, verdict, mode.id());
                }
            }
            List<String> exemptions = evaluation.exemptionsApplied().stream().map(MatchedExemption::reason).distinct().toList();
            results.add(new Result(manifest.file(), pod.kind(), ns, pod.name(), evaluation.enforce().isEmpty(),
                    List.copyOf(reported.values()), judgement.patch(), judgement.stored(), judgement.defaults(), exemptions));
        }
        return new Run(results, otherKinds, incomplete, errors);
    }

    private static String nameOf(ObjectNode object) {
        JsonNode meta = object.get("metadata");
        String ns = meta == null ? null : meta.path("namespace").asString(null);
        String name = meta == null ? null : meta.path("name").asString(null);
        return (ns == null ? "" : ns + "/") + (name == null ? "(unnamed)" : name);
    }

    private static void add(Map<String, Reported> reported, KindVerdict verdict, String mode) {
        String at = verdict.level() == null ? "" : verdict.level().toString();
        for (Violation v : verdict.violations()) {
            String key = v.rule() + "\u0000" + v.path() + "\u0000" + v.message();
            Reported known = reported.get(key);
            if (known == null) {
                reported.put(key, new Reported(v, new ArrayList<>(List.of(mode)), new ArrayList<>(List.of(at))));
            } else if (!known.modes().contains(mode)) {
                known.modes().add(mode);
                known.levels().add(at);
            }
        }
    }

    /** The {@code -o json} output: docs/check-output.schema.json describes it. */
    static ArrayNode json(List<Result> results) {
        ArrayNode array = Json.mapper().createArrayNode();
        for (Result r : results) {
            ObjectNode o = array.addObject();
            o.put("file", r.file());
            o.put("kind", r.kind());
            o.put("namespace", r.namespace());
            o.put("name", r.name());
            o.put("allowed", r.allowed());
            ArrayNode violations = o.putArray("violations");
            for (Reported rep : r.violations()) {
                ObjectNode v = violations.addObject()
                        .put("rule", rep.violation().rule())
                        .put("path", rep.violation().path())
                        .put("message", rep.violation().message())
                        .put("outcome", rep.outcome())
                        .put("level", rep.levels().getFirst());
                ArrayNode modes = v.putArray("modes");
                rep.modes().forEach(modes::add);
            }
            o.set("patch", r.patch());
            ArrayNode defaults = o.putArray("defaults");
            r.defaults().stream().map(AppliedDefault::entry).forEach(defaults::add);
            ArrayNode exemptions = o.putArray("exemptions");
            r.exemptions().forEach(exemptions::add);
        }
        return array;
    }

    private static String object(Result r) {
        return r.kind() + " " + (r.namespace() == null ? "" : r.namespace() + "/") + (r.name() == null ? "(unnamed)" : r.name());
    }

    /**
     * One line per violation, each naming the object, the container, the field and the rule's
     * own words on what to set; one line for each object that passes.
     */
    static void text(List<Result> results, PrintWriter out) {
        for (Result r : results) {
            String object = r.file() + ": " + object(r);
            String exempt = r.exemptions().isEmpty() ? "" : " (exempted: " + String.join("; ", r.exemptions()) + ")";
            if (!r.defaults().isEmpty()) {
                out.println(object + ": after defaults: " + DefaultsReport.summary(r.defaults()));
            }
            if (r.violations().isEmpty()) {
                out.println(object + ": allowed" + exempt);
                continue;
            }
            if (!r.exemptions().isEmpty()) {
                out.println(object + ": exempted: " + String.join("; ", r.exemptions()));
            }
            for (Reported rep : r.violations()) {
                Violation v = rep.violation();
                String container = containerOf(r.pod(), v.path());
                out.println(object + ": " + label(rep.mode()) + ": " + v.rule() + ": "
                        + (container == null ? "" : "container \"" + container + "\": ")
                        + v.path() + ": " + v.message());
            }
        }
    }

    private static String label(String mode) {
        return switch (mode) {
            case "enforce" -> "denied";
            case "warn" -> "warning";
            default -> "audit";
        };
    }

    /** The name of the container a field path points into, if it points into one. */
    static @Nullable String containerOf(PodObject pod, String path) {
        Matcher m = CONTAINER_PATH.matcher(path);
        if (!m.find()) {
            return null;
        }
        int index = Integer.parseInt(m.group(2));
        PodSpec podSpec = pod.podSpec();
        if ("ephemeralContainers".equals(m.group(1))) {
            List<EphemeralContainer> list = podSpec.getEphemeralContainers();
            return list != null && index < list.size() && list.get(index) != null ? list.get(index).getName() : null;
        }
        List<Container> list = "initContainers".equals(m.group(1)) ? podSpec.getInitContainers() : podSpec.getContainers();
        return list != null && index < list.size() && list.get(index) != null ? list.get(index).getName() : null;
    }

}
