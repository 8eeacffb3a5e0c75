package io.podguard.admission;

import io.podguard.engine.EffectivePolicy;
import io.podguard.engine.Engine;
import io.podguard.engine.Level;
import io.podguard.engine.LevelVersion;
import io.podguard.engine.Mode;
import io.podguard.engine.PodExtractor;
import io.podguard.engine.PodObject;
import io.podguard.engine.RequestInfo;
import io.podguard.engine.Stage;
import io.podguard.engine.Violation;
import io.podguard.engine.pss.Messages;
import io.podguard.engine.pss.PodSecurityKind;
import io.podguard.engine.pss.PodSecurityLevels;
import io.podguard.policy.PodSecurityLabels;
import io.podguard.policy.PolicyResolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What Pod Security Admission answers when a namespace's labels change, for podguard's policy:
 * when a Namespace UPDATE raises the Pod Security level enforced there (PSA's labels, a
 * {@code namespaces} entry selected by label, {@code podguard.io/mode}), the pods already running
 * in it are judged against the new level and every distinct violation is a warning, in PSA's words
 * ({@code kubectl label --dry-run=server --overwrite ns NS pod-security.kubernetes.io/enforce=restricted}
 * is how a level is tried). Never a denial: labels PSA would refuse are said in a warning too.
 *
 * <p>PSA's limits: pods are judged one per controller first, at most {@value #MAX_PODS}, for at most
 * a second ({@link #EVALUATION_TIMEOUT}), and the pods that share a violation are one warning
 * naming the first of them by name ({@code web-1 (and 4 other pods): host namespaces}). Pods an
 * exemption leaves out of Pod Security are not judged (PSA: exempt runtime classes). The pods are
 * read from the apiserver page by page; at most {@value #MAX_PODS} are held at once.
 */
public final class PodSecurityLabelDryRun implements NamespaceHandler {

    /** The path segment: {@code /namespaces/pod-security-labels}. */
    public static final String ID = "pod-security-labels";
    /** PSA's {@code defaultNamespaceMaxPodsToCheck}. */
    public static final int MAX_PODS = 3000;
    /** PSA's {@code defaultNamespacePodCheckTimeout}. */
    public static final Duration EVALUATION_TIMEOUT = Duration.ofSeconds(1);
    static final String LIST_FAILED = "failed to list pods while checking new PodSecurity enforce level";

    private static final Logger LOG = LoggerFactory.getLogger(PodSecurityLabelDryRun.class);

    /** The pods of a namespace, as the apiserver stores them. */
    @FunctionalInterface
    public interface NamespacePods {
        /**
         * Calls {@code each} with every pod of {@code namespace} in turn.
         *
         * @throws Exception when they cannot all be read (in time)
         */
        void forEach(String namespace, Consumer<ObjectNode> each) throws Exception;
    }

    private final Engine engine;
    private final Supplier<PolicyResolver> resolver;
    private final NamespacePods pods;
    private final int maxPods;
    private final long timeoutNanos;
    private final LongSupplier nanoTime;

    public PodSecurityLabelDryRun(Engine engine, Supplier<PolicyResolver> resolver, NamespacePods pods) {
        this(engine, resolver, pods, MAX_PODS, EVALUATION_TIMEOUT, System::nanoTime);
    }

    PodSecurityLabelDryRun(Engine engine, Supplier<PolicyResolver> resolver, NamespacePods pods, int maxPods, Duration timeout,
                           LongSupplier nanoTime) {
        this.engine = engine;
        this.resolver = resolver;
        this.pods = pods;
        this.maxPods = maxPods;
        this.timeoutNanos = timeout.toNanos();
        this.nanoTime = nanoTime;
    }

    @Override
    public String id() {
        return ID;
    }

    /** The answer to a Namespace CREATE or UPDATE: always allowed, with PSA's warnings. */
    @Override
    public AdmissionResponse review(AdmissionRequest request) {
        JsonNode object = Objects.requireNonNull(request.object());
        String name = request.name() != null && !request.name().isEmpty() ? request.name()
                : object.path("metadata").path("name").asString("");
        PolicyResolver policy = resolver.get();
        Map<String, String> labels = labels(object);
        PodSecurityLevels next = levels(policy, name, labels);
        List<String> warnings = new ArrayList<>(2);
        if (request.isCreate()) {
            invalid(name, next, null, warnings);
            if (policy.exemptsNamespace(name)) {
                exemptWarning(policy, name, next, labels, warnings);
            }
            return answer(request, warnings);
        }
        if (!request.isUpdate() || request.oldObject() == null) {
            return AdmissionResponse.allow(request.uid());
        }
        PodSecurityLevels before = levels(policy, name, labels(request.oldObject()));
        invalid(name, next, before, warnings);
        LevelVersion enforce = next == null ? null : next.enforce();
        LevelVersion old = before == null ? null : before.enforce();
        // PSA's reasons to judge nothing: enforcement unchanged, now privileged, or relaxed at the same version
        if (Objects.equals(enforce, old) || enforce == null || enforce.level() == Level.PRIVILEGED
                || old != null && enforce.version().equals(old.version()) && enforce.level().compareTo(old.level()) <= 0) {
            return answer(request, warnings);
        }
        if (policy.exemptsNamespace(name)) {
            exemptWarning(policy, name, next, labels, warnings);
            return answer(request, warnings);
        }
        warnings.addAll(existingPods(policy, name, labels, enforce));
        return answer(request, warnings);
    }

    private static AdmissionResponse answer(AdmissionRequest request, List<String> warnings) {
        return new AdmissionResponse(request.uid(), true, 200, null, null, List.copyOf(warnings), Map.of(), AdmissionResponse.NO_MODE);
    }

    private static @Nullable PodSecurityLevels levels(PolicyResolver policy, String namespace, Map<String, String> labels) {
        return policy.forNamespace(namespace, labels).rule(PodSecurityLevels.class);
    }

    /** PSA refuses labels it cannot read (on an update, unless they were already wrong in the same way); podguard says so. */
    private static void invalid(String name, @Nullable PodSecurityLevels next, @Nullable PodSecurityLevels before, List<String> warnings) {
        List<String> errors = next == null ? List.of() : next.labelErrors();
        if (errors.isEmpty() || before != null && !before.labelErrors().isEmpty() && before.labelErrors().equals(errors)) {
            return;
        }
        warnings.add("Namespace " + Messages.goQuote(name) + " is invalid: "
                + (errors.size() == 1 ? errors.getFirst() : "[" + String.join(", ", errors) + "]"));
    }

    /** PSA's warning for labels set on a namespace its configuration exempts, unless they ask nothing beyond the defaults. */
    private static void exemptWarning(PolicyResolver policy, String name, @Nullable PodSecurityLevels levels, Map<String, String> labels,
                                      List<String> warnings) {
        if (levels == null) {
            return;
        }
        PodSecurityLevels defaults = levels(policy, name, Map.of());
        boolean privileged = true;
        boolean asDefaults = true;
        for (Mode mode : Mode.values()) {
            privileged &= isPrivileged(levels.level(mode));
            asDefaults &= equivalent(levels.level(mode), defaults == null ? null : defaults.level(mode));
        }
        if (privileged || asDefaults) {
            return;
        }
        List<String> set = new ArrayList<>(3);
        for (Mode mode : Mode.values()) {
            String label = PodSecurityLabels.PREFIX + mode.id();
            LevelVersion lv = levels.level(mode);
            if (!isPrivileged(lv) && (labels.containsKey(label) || labels.containsKey(label + "-version"))) {
                set.add(mode.id() + "=" + lv);
            }
        }
        warnings.add("namespace " + Messages.goQuote(name) + " is exempt from Pod Security, and the policy (" + String.join(", ", set)
                + ") will be ignored");
    }

    private static boolean isPrivileged(@Nullable LevelVersion lv) {
        return lv == null || lv.level() == Level.PRIVILEGED;
    }

    /** PSA's {@code LevelVersion.Equivalent}: both privileged (a mode podguard leaves off is), or equal. */
    private static boolean equivalent(@Nullable LevelVersion a, @Nullable LevelVersion b) {
        return isPrivileged(a) && isPrivileged(b) || Objects.equals(a, b);
    }

    /** A pod to judge, with the policy that judges it (its exemptions matched). */
    private record Candidate(PodObject pod, EffectivePolicy policy) {
    }

    /** PSA's {@code EvaluatePodsInNamespace}: the warnings for the pods already in {@code namespace}. */
    private List<String> existingPods(PolicyResolver policy, String namespace, Map<String, String> labels, LevelVersion enforce) {
        EffectivePolicy inNamespace = policy.forNamespace(namespace, labels);
        EffectivePolicy judging = new EffectivePolicy(inNamespace.defaults(), List.of(new PodSecurityLevels(enforce, null, null, enforce)));
        // One pod per controller first, then the others, as PSA orders them, keeping at most maxPods.
        List<Candidate> first = new ArrayList<>();
        List<Candidate> others = new ArrayList<>();
        Set<String> controllers = new HashSet<>();
        int[] total = {0};
        try {
            pods.forEach(namespace, node -> {
                PodObject pod;
                try {
                    pod = PodExtractor.extract("Pod", node).orElse(null);
                } catch (IllegalArgumentException e) {
                    return; // not a pod podguard can read: PSA could not judge it either
                }
                if (pod == null) {
                    return;
                }
                EffectivePolicy exempted = policy.exempt(judging, new RequestInfo(namespace, null, List.of()), pod);
                if (exempted.rule(PodSecurityLevels.class) == null
                        || Engine.exemptingKind(PodSecurityKind.INSTANCE, exempted.exemptions()) != null) {
                    return; // left out of Pod Security: not judged, not counted
                }
                total[0]++;
                String controller = controller(node);
                Candidate candidate = new Candidate(pod, exempted);
                if (controller == null || controllers.add(controller)) {
                    if (first.size() < maxPods) {
                        if (first.size() + others.size() >= maxPods && !others.isEmpty()) {
                            others.removeLast();
                        }
                        first.add(candidate);
                    }
                } else if (first.size() + others.size() < maxPods) {
                    others.add(candidate);
                }
            });
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("namespace {}: cannot list its pods to try enforce level {}: {}", namespace, enforce,
                    io.podguard.engine.Text.oneLine(e.getMessage(), e.getClass().getSimpleName()));
            return List.of(LIST_FAILED);
        }
        List<Candidate> prioritized = new ArrayList<>(first.size() + others.size());
        prioritized.addAll(first);
        prioritized.addAll(others);

        long deadline = nanoTime.getAsLong() + timeoutNanos;
        Map<String, String> firstPod = new LinkedHashMap<>();
        Map<String, Integer> count = new HashMap<>();
        int checked = prioritized.size();
        for (int i = 0; i < prioritized.size(); i++) {
            Candidate c = prioritized.get(i);
            List<Violation> violations = engine.judge(c.pod(), c.policy(), new RequestInfo(namespace, null, List.of()), Stage.AS_WRITTEN)
                    .evaluation().violations(Mode.ENFORCE);
            if (!violations.isEmpty()) {
                String warning = String.join(", ", violations.stream().map(Violation::reason).toList());
                String podName = c.pod().name() == null ? "" : c.pod().name();
                firstPod.merge(warning, podName, (a, b) -> b.compareTo(a) < 0 ? b : a);
                count.merge(warning, 1, Integer::sum);
            }
            if (nanoTime.getAsLong() - deadline >= 0) {
                checked = i + 1;
                break;
            }
        }
        List<String> warnings = new ArrayList<>();
        if (checked < total[0]) {
            warnings.add("new PodSecurity enforce level only checked against the first " + checked + " of " + total[0] + " existing pods");
        }
        if (!firstPod.isEmpty()) {
            warnings.add("existing pods in namespace " + Messages.goQuote(namespace) + " violate the new PodSecurity enforce level "
                    + Messages.goQuote(enforce.toString()));
        }
        List<String> podWarnings = new ArrayList<>(firstPod.size());
        firstPod.forEach((warning, pod) -> {
            int n = count.get(warning);
            podWarnings.add(switch (n) {
                case 1 -> pod + ": " + warning;
                case 2 -> pod + " (and 1 other pod): " + warning;
                default -> pod + " (and " + (n - 1) + " other pods): " + warning;
            });
        });
        podWarnings.sort(null); // PSA's sort.Strings; pod names and reasons are ASCII, so the same order
        warnings.addAll(podWarnings);
        LOG.info("namespace {}: enforce level {} tried on {} of {} existing pods: {} {}", namespace, enforce, checked, total[0],
                firstPod.size(), firstPod.size() == 1 ? "distinct violation" : "distinct violations");
        return warnings;
    }

    /** The uid of the pod's controller, or null when none controls it. */
    private static @Nullable String controller(JsonNode pod) {
        for (JsonNode owner : pod.path("metadata").path("ownerReferences")) {
            if (owner.path("controller").asBoolean(false)) {
                return owner.path("uid").asString("");
            }
        }
        return null;
    }

    private static Map<String, String> labels(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : object.path("metadata").path("labels").properties()) {
            if (e.getValue().isString()) {
                out.put(e.getKey(), e.getValue().asString());
            }
        }
        return out;
    }
}
