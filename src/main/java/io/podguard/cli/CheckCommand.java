package io.podguard.cli;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.podguard.engine.Engine;
import io.podguard.engine.Evaluation;
import io.podguard.engine.Json;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.Violation;
import io.podguard.engine.psp.PspDecision;
import io.podguard.engine.psp.PspEngine;
import io.podguard.cli.CheckManifests.BadInputException;
import io.podguard.cli.CheckManifests.Manifest;
import io.podguard.policy.EffectivePolicy;
import io.podguard.policy.Policy;
import io.podguard.policy.PolicyResolver;
import io.podguard.policy.RequestInfo;
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
 * Evaluates manifests offline, Pods and workloads alike (a workload by its pod template). Exit 0
 * when all are allowed, 1 when any is denied (violates the policy's enforce level), 2 on bad input.
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

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files, folders (searched for *.yaml, *.yml, *.json), or - for standard input.")
    List<String> paths = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /** One judged object. */
    record Result(String file, String kind, @Nullable String namespace, @Nullable String name, boolean allowed,
            List<Reported> violations, ArrayNode patch, PodObject pod) {
    }

    /** A violation and the mode that found it: enforce (denies), audit or warn. */
    record Reported(Violation violation, String mode) {
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
            results = judge(CheckManifests.read(paths, System.in), resolver);
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
            EffectivePolicy effective = resolver.resolve(RequestInfo.offline(pod.namespace()), pod);
            Evaluation evaluation = engine.evaluate(pod, effective);
            ArrayNode patch = patch(engine, pod, effective);
            if (effective.psp() != null) {
                // A manifest is judged as it would be created: the chosen PodSecurityPolicy's defaults applied.
                PspDecision psp = PspEngine.admit(effective.psp().policies(), PspEngine.applied(pod, patch), RequestInfo.offline(pod.namespace()), true);
                evaluation = effective.psp().addTo(evaluation, psp);
                if (psp.allowed() && pod.isPod() && effective.psp().mode() == io.podguard.policy.Mode.ENFORCE) {
                    patch.addAll(psp.patch());
                }
            }
            List<Reported> reported = new ArrayList<>();
            Map<String, Boolean> seen = new LinkedHashMap<>();
            add(reported, seen, evaluation.enforce(), "enforce");
            add(reported, seen, evaluation.warn(), "warn");
            add(reported, seen, evaluation.audit(), "audit");
            results.add(new Result(manifest.file(), pod.kind(), pod.namespace(), pod.name(), evaluation.enforce().isEmpty(),
                    reported, patch, pod));
        }
        return results;
    }

    /** What /mutate would answer: a patch for new Pods of the defaults that apply (not those in a dry run), none otherwise. */
    private static ArrayNode patch(Engine engine, PodObject pod, EffectivePolicy effective) {
        if (!pod.isPod()) {
            return Json.mapper().createArrayNode();
        }
        return engine.mutate(pod, effective).patch();
    }

    private static void add(List<Reported> reported, Map<String, Boolean> seen, List<Violation> violations, String mode) {
        for (Violation v : violations) {
            if (seen.putIfAbsent(v.rule() + "\u0000" + v.message(), Boolean.TRUE) == null) {
                reported.add(new Reported(v, mode));
            }
        }
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
                violations.addObject()
                        .put("rule", rep.violation().rule())
                        .put("path", rep.violation().path())
                        .put("message", rep.violation().message());
            }
            o.set("patch", r.patch());
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
            if (r.violations().isEmpty()) {
                out.println(object + ": allowed");
                continue;
            }
            for (Reported rep : r.violations()) {
                Violation v = rep.violation();
                String container = containerOf(r.pod(), v.path());
                out.println(object + ": " + label(rep.mode()) + ": " + v.rule() + ": "
                        + (container == null ? "" : "container \"" + container + "\": ")
                        + v.path() + ": " + v.message());
            }
        }
        out.println(results.size() + (results.size() == 1 ? " object" : " objects") + " checked, " + denied + " denied");
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
