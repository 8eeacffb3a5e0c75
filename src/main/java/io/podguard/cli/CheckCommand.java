package io.podguard.cli;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.podguard.cli.CheckManifests.BadInputException;
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
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Evaluates manifests offline, Pods and workloads alike (a workload by its pod template), through
 * the engine's one entry point: by default as the cluster would decide a create (podguard's
 * defaults first, as the mutating webhook runs before the validating one), saying which defaults
 * it assumed; with {@code --no-defaults}, as written. Exit 0 when all are allowed, 1 when any is
 * denied (violates what the policy enforces), 2 on bad input.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Evaluate manifests (Pods and workloads) offline against a policy.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every object is allowed", "1:an object is denied", "2:bad input (unreadable file, invalid YAML or JSON, a document without kind) or a bad policy"})
public final class CheckCommand implements Callable<Integer> {

    static final int ALLOWED = 0;
    static final int DENIED = 1;
    static final int BAD_INPUT = 2;

    private static final Pattern CONTAINER_PATH = Pattern.compile("(initContainers|containers|ephemeralContainers)\\[(\\d+)]");

    @Mixin
    PolicyOption policy;

    @Option(names = {"-o", "--output"}, paramLabel = "text|json", description = "Output format (default: text).")
    String output = "text";

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
     * @param exemptions the reasons of the exemptions that made a difference
     */
    record Result(String file, String kind, @Nullable String namespace, @Nullable String name, boolean allowed,
            List<Reported> violations, ArrayNode patch, PodObject pod, List<AppliedDefault> defaults, List<String> exemptions) {
    }

    /**
     * A violation and what it does: {@code deny} (enforce), {@code audit} or {@code warn}.
     *
     * @param level the Pod Security Standards level it was judged at ({@code restricted:latest}), or null
     */
    record Reported(Violation violation, String outcome, @Nullable String level) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!"text".equals(output) && !"json".equals(output)) {
            err.println("podguard: --output \"" + output + "\" is not one of text, json");
            return BAD_INPUT;
        }
        List<Result> results;
        try {
            PolicyResolver resolver = PolicyResolver.fixed(policy.load());
            results = judge(CheckManifests.read(paths, System.in), resolver, noDefaults ? Stage.AS_WRITTEN : Stage.CREATE);
        } catch (IllegalArgumentException e) {
            err.println("podguard: " + e.getMessage());
            return BAD_INPUT;
        } catch (BadInputException e) {
            err.println("podguard: " + e.getMessage());
            return BAD_INPUT;
        }
        if ("json".equals(output)) {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json(results)));
        } else {
            text(results, out);
        }
        out.flush();
        return results.stream().allMatch(Result::allowed) ? ALLOWED : DENIED;
    }

    static List<Result> judge(List<Manifest> manifests, PolicyResolver resolver) throws BadInputException {
        return judge(manifests, resolver, Stage.CREATE);
    }

    static List<Result> judge(List<Manifest> manifests, PolicyResolver resolver, Stage stage) throws BadInputException {
        Engine engine = Engine.standard();
        List<Result> results = new ArrayList<>();
        for (Manifest manifest : manifests) {
            Optional<PodObject> found;
            try {
                found = PodExtractor.extract(manifest.kind(), manifest.object());
            } catch (IllegalArgumentException e) {
                throw new BadInputException(manifest.file() + ": " + e.getMessage());
            }
            if (found.isEmpty()) {
                continue; // a Service, a ConfigMap …: nothing to judge
            }
            PodObject pod = found.get();
            RequestInfo request = RequestInfo.offline(pod.namespace());
            EffectivePolicy effective = resolver.resolve(request, pod);
            Judgement judgement = engine.judge(pod, effective, request, stage);
            Evaluation evaluation = judgement.evaluation();
            List<Reported> reported = new ArrayList<>();
            Map<String, Boolean> seen = new LinkedHashMap<>();
            for (Mode mode : List.of(Mode.ENFORCE, Mode.WARN, Mode.AUDIT)) {
                for (KindVerdict verdict : evaluation.verdicts(mode)) {
                    for (Violation v : verdict.violations()) {
                        if (seen.putIfAbsent(v.rule() + "\u0000" + v.message(), Boolean.TRUE) == null) {
                            reported.add(new Reported(v, outcome(mode), verdict.level() == null ? null : verdict.level().toString()));
                        }
                    }
                }
            }
            List<String> exemptions = evaluation.exemptionsApplied().stream().map(MatchedExemption::reason).distinct().toList();
            results.add(new Result(manifest.file(), pod.kind(), pod.namespace(), pod.name(), evaluation.enforce().isEmpty(),
                    reported, judgement.patch(), judgement.stored(), judgement.defaults(), exemptions));
        }
        return results;
    }

    private static String outcome(Mode mode) {
        return mode == Mode.ENFORCE ? "deny" : mode.id();
    }

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
                        .put("outcome", rep.outcome());
                if (rep.level() != null) {
                    v.put("level", rep.level());
                }
            }
            o.set("patch", r.patch());
            ArrayNode defaults = o.putArray("defaults");
            r.defaults().stream().map(AppliedDefault::entry).forEach(defaults::add);
            ArrayNode exemptions = o.putArray("exemptions");
            r.exemptions().forEach(exemptions::add);
        }
        return array;
    }

    /**
     * One line per violation, each naming the object, the container, the field and the rule's
     * own words on what to set; one line for each object that passes; a summary last.
     */
    static void text(List<Result> results, PrintWriter out) {
        int denied = 0;
        for (Result r : results) {
            String object = r.file() + ": " + r.kind() + " " + (r.namespace() == null ? "" : r.namespace() + "/")
                    + (r.name() == null ? "(unnamed)" : r.name());
            if (!r.allowed()) {
                denied++;
            }
            if (!r.defaults().isEmpty()) {
                out.println(object + ": after defaults: " + DefaultsReport.summary(r.defaults()));
            }
            if (!r.exemptions().isEmpty()) {
                out.println(object + ": exempt: " + String.join("; ", r.exemptions()));
            }
            if (r.violations().isEmpty()) {
                out.println(object + ": allowed");
                continue;
            }
            for (Reported rep : r.violations()) {
                Violation v = rep.violation();
                String container = containerOf(r.pod(), v.path());
                out.println(object + ": " + label(rep.outcome()) + ": " + v.rule() + ": "
                        + (container == null ? "" : "container \"" + container + "\": ")
                        + v.path() + ": " + v.message());
            }
        }
        out.println(results.size() + (results.size() == 1 ? " object" : " objects") + " checked, " + denied + " denied");
    }

    private static String label(String outcome) {
        return switch (outcome) {
            case "deny" -> "denied";
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
