package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.engine.Json;
import io.podguard.engine.KubeQuantity;
import io.podguard.testing.LimitRangerCases;
import io.podguard.testing.LimitRangerCases.Case;
import io.podguard.testing.LimitRangerCases.Outcome;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * podguard's resource defaults and rules against kube-apiserver's own LimitRanger, run
 * ({@code src/test/cluster/cmd/limitranger}, k8s.io/kubernetes v1.37.2): on the cases of the
 * plugin's own admission_test.go and on 600 generated ones ({@link LimitRangerCases}). Each case's
 * LimitRanges are expressed in podguard policy; the pod LimitRanger was given (with the apiserver's
 * defaults) goes through podguard's /mutate, the patch applied by an independent JSON Patch
 * implementation, then /validate. For every case:
 *
 * <ul>
 *   <li>a LimitRange the apiserver refuses is a policy podguard refuses, and one it accepts a policy
 *       podguard accepts, except where podguard refuses defaults that its own rules would deny
 *       ({@code maxLimitRequestRatio} below the defaults' ratio), which the apiserver does not check;</li>
 *   <li>each container's requests and limits after /mutate equal those after LimitRanger's
 *       mutation, by value;</li>
 *   <li>the verdict is LimitRanger's, and every finding is LimitRanger's own sentence (compared
 *       as sets: LimitRanger lists them in Go's map order).</li>
 * </ul>
 *
 * The one difference allowed is the ratio: podguard compares {@code limit > request × ratio}
 * exactly where LimitRanger divides in floating point; a case where that decides is listed, and
 * must be one. The figures go to {@code target/limitranger-parity.txt}.
 */
class LimitRangerParityIT {

    private static final int GENERATED = 600;

    @Test
    void podguardDefaultsAndJudgesAsLimitRangerDoes() throws IOException {
        List<Case> cases = LimitRangerCases.all(GENERATED);
        ArrayNode input = Json.mapper().createArrayNode();
        cases.forEach(c -> input.add(c.json()));
        ArrayNode upstream = UpstreamPrograms.run("limitranger", input);

        List<String> disagreements = new ArrayList<>();
        List<String> floatRatio = new ArrayList<>();
        List<String> limitedByPodguard = new ArrayList<>();
        List<String> withinPodRequests = new ArrayList<>();
        List<String> overcommitRefused = new ArrayList<>();
        List<String> requestFromLimit = new ArrayList<>();
        int compared = 0;
        int refusedBoth = 0;
        int refusedByPodguardOnly = 0;
        int denied = 0;
        int mutationsCompared = 0;
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            JsonNode want = upstream.get(i);
            boolean lrInvalid = !want.get("limitRangeErrors").isEmpty();
            // A resize: the pod already carries what it was defaulted with at creation (LimitRanger merges
            // its defaults into the resized pod; podguard judges the pod as it is, defaults being for new pods)
            ObjectNode sent = (ObjectNode) (c.operation().equals("CREATE") || !want.has("output") ? want.get("input") : want.get("output"));
            Outcome got = LimitRangerCases.podguard(c, sent);
            if (lrInvalid || !got.refused().isEmpty()) {
                if (lrInvalid && !got.refused().isEmpty()) {
                    refusedBoth++;
                } else if (!lrInvalid && got.refused().stream().allMatch(e -> e.contains("times the default request"))) {
                    refusedByPodguardOnly++;
                } else {
                    disagreements.add(c.name() + ": LimitRange errors " + want.get("limitRangeErrors") + ", podguard's policy errors " + got.refused()
                            + "\n  policy:\n" + c.policy());
                }
                continue;
            }
            compared++;
            // resources podguard set otherwise than LimitRanger, for a stated reason: their findings differ too
            Set<String> explained = new TreeSet<>();
            if (c.allowed() != null && c.allowed() != want.get("allowed").asBoolean()) {
                disagreements.add(c.name() + ": upstream's test says allowed=" + c.allowed() + ", the plugin run says " + want.get("allowed"));
            }
            if (want.has("output") && c.operation().equals("CREATE")) {
                mutationsCompared++;
                String wantResources = resources(want.get("output"));
                String gotResources = resources(got.mutated());
                String why = wantResources.equals(gotResources) ? null : explain(want.get("output"), got.mutated(), explained);
                if (why != null) {
                    (why.equals(COMPLETED) ? limitedByPodguard : withinPodRequests).add(c.name());
                } else if (!wantResources.equals(gotResources)) {
                    disagreements.add(c.name() + ": resources after LimitRanger " + wantResources + ", after podguard " + gotResources
                            + "\n  policy:\n" + c.policy());
                    continue;
                }
            }
            boolean wantAllowed = want.get("allowed").asBoolean();
            List<String> wantViolations = new ArrayList<>();
            want.get("violations").forEach(v -> wantViolations.add(v.asString()));
            if (!wantAllowed) {
                denied++;
            }
            if (wantAllowed == got.allowed() && (wantAllowed || wantViolations.equals(got.violations()))) {
                continue;
            }
            List<String> onlyUpstream = new ArrayList<>(wantViolations);
            onlyUpstream.removeAll(got.violations());
            if (!c.stored() && want.has("output")) {
                // LimitRanger judges what it limited without a request as not requested; podguard, as the apiserver stores it
                Set<String> left = limitedWithoutRequest(want.get("output"));
                if (onlyUpstream.stream().anyMatch(v -> left.contains(resourceOf(v)))) {
                    requestFromLimit.add(c.name() + ": " + onlyUpstream.stream().filter(v -> left.contains(resourceOf(v))).toList());
                }
                explained.addAll(left);
            }
            onlyUpstream.removeIf(v -> explained.contains(resourceOf(v)));
            List<String> onlyPodguard = new ArrayList<>(got.violations());
            onlyPodguard.removeAll(wantViolations);
            onlyPodguard.removeIf(v -> explained.contains(resourceOf(v)));
            // the apiserver's own rule, which LimitRanger leaves to validation: its pod requests a device without limiting it
            if (onlyPodguard.removeIf(v -> v.endsWith("cannot be overcommitted, its limit must be set and equal the request")
                    || v.endsWith("cannot be overcommitted, request and limit must be equal"))) {
                overcommitRefused.add(c.name());
            }
            if (onlyUpstream.isEmpty() && onlyPodguard.isEmpty()) {
                continue; // what is left of the findings agrees; the verdict differs by the explained ones only
            }
            if (!onlyUpstream.isEmpty() || !onlyPodguard.isEmpty()) {
                JsonNode judged = want.has("output") ? want.get("output") : sent;
                List<String> ratioFindings = new ArrayList<>(onlyUpstream);
                ratioFindings.addAll(onlyPodguard);
                if (ratioFindings.stream().allMatch(v -> decidedByFloatingPoint(v, judged))) {
                    floatRatio.add(c.name() + ": LimitRanger " + onlyUpstream + ", podguard " + onlyPodguard);
                    continue;
                }
            }
            disagreements.add(c.name() + " (" + c.source() + "): only LimitRanger " + onlyUpstream + ", only podguard " + onlyPodguard
                    + "; LimitRanger " + (wantAllowed ? "admits" : "refuses " + wantViolations)
                    + ", podguard " + (got.allowed() ? "admits" : "refuses " + got.violations() + " (" + got.message() + ")")
                    + "\n  policy:\n" + c.policy() + "  pod: " + got.mutated().path("spec"));
        }
        String summary = "LimitRanger parity (kubernetes v1.37.2): " + cases.size() + " cases (" + LimitRangerCases.upstream().size()
                + " from admission_test.go, " + LimitRangerCases.floatingPointRatio().size() + " on floating-point ratios, " + GENERATED + " generated)\n"
                + "LimitRange refused by the apiserver and the policy by podguard: " + refusedBoth + "\n"
                + "policy refused by podguard only (defaults above maxLimitRequestRatio): " + refusedByPodguardOnly + "\n"
                + "judged by both: " + compared + " (" + denied + " refused by LimitRanger), mutations compared: " + mutationsCompared + "\n"
                + "decided by floating-point division in LimitRanger, exactly by podguard: " + floatRatio.size() + "\n"
                + String.join("\n", floatRatio) + (floatRatio.isEmpty() ? "" : "\n")
                + "a resource that cannot be overcommitted, requested or limited by LimitRanger alone (the apiserver refuses that pod), "
                + "given the same request and limit by podguard: " + limitedByPodguard.size() + "\n"
                + "container requests LimitRanger sets beyond the pod-level requests (the apiserver refuses that pod), "
                + "left unset by podguard: " + withinPodRequests.size() + "\n"
                + "also refused by podguard for requesting a resource that cannot be overcommitted without limiting it "
                + "(the apiserver's rule): " + overcommitRefused.size() + "\n"
                + "a LimitRange used as given (not as stored) whose default limit has no default request: LimitRanger judges the request "
                + "unset, podguard judges it as the apiserver stores it after a webhook's patch (the limit): " + requestFromLimit.size() + "\n"
                + String.join("\n", requestFromLimit) + (requestFromLimit.isEmpty() ? "" : "\n")
                + "disagreements: " + disagreements.size() + "\n";
        Files.writeString(Path.of("target/limitranger-parity.txt"), summary);
        assertThat(disagreements).as(summary).isEmpty();
        assertThat(compared).isGreaterThan(300);
        assertThat(denied).isGreaterThan(50);
        assertThat(refusedBoth).isGreaterThan(10);
        assertThat(floatRatio).as("the floating-point cases").hasSize(LimitRangerCases.floatingPointRatio().size());
    }

    private static final String COMPLETED = "completed";
    private static final String WITHIN_POD = "within pod";

    /**
     * Why podguard's pod differs from LimitRanger's, when it is one of podguard's stated choices
     * (adding the names of the resources concerned to {@code explained}); null when it is not:
     * {@link #COMPLETED}, a resource that cannot be overcommitted given the request or limit
     * LimitRanger left out, equal to the one it set; {@link #WITHIN_POD}, container requests left
     * unset where LimitRanger's add up beyond the pod-level request.
     */
    private static String explain(JsonNode limitRanger, JsonNode podguard, Set<String> explained) {
        String why = null;
        for (String list : List.of("initContainers", "containers")) {
            JsonNode theirs = limitRanger.path("spec").path(list);
            JsonNode mine = podguard.path("spec").path(list);
            for (int i = 0; i < theirs.size(); i++) {
                JsonNode lr = theirs.get(i).path("resources");
                JsonNode pg = mine.get(i).path("resources");
                Set<String> names = new TreeSet<>();
                for (JsonNode n : List.of(lr.path("requests"), lr.path("limits"), pg.path("requests"), pg.path("limits"))) {
                    n.propertyNames().forEach(names::add);
                }
                for (String r : names) {
                    JsonNode lrReq = lr.path("requests").path(r);
                    JsonNode lrLim = lr.path("limits").path(r);
                    JsonNode pgReq = pg.path("requests").path(r);
                    JsonNode pgLim = pg.path("limits").path(r);
                    if (equal(lrReq, pgReq) && equal(lrLim, pgLim)) {
                        continue;
                    }
                    boolean completed = !io.podguard.engine.resources.ResourceNames.overcommitAllowed(r) && same(pgReq, pgLim)
                            && (same(lrReq, pgReq) && lrLim.isMissingNode() || same(lrLim, pgLim) && lrReq.isMissingNode());
                    boolean withinPod = pgReq.isMissingNode() && !lrReq.isMissingNode() && equal(lrLim, pgLim)
                            && aboveThePodsRequest(limitRanger, r);
                    if (completed || withinPod) {
                        explained.add(r);
                        why = completed ? COMPLETED : WITHIN_POD;
                    } else {
                        return null;
                    }
                }
            }
        }
        return why;
    }

    /** Whether the containers' requests of {@code r} add up beyond the pod-level request. */
    private static boolean aboveThePodsRequest(JsonNode pod, String r) {
        JsonNode podRequest = pod.path("spec").path("resources").path("requests").path(r);
        if (!podRequest.isString()) {
            return false;
        }
        BigDecimal sum = BigDecimal.ZERO;
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : pod.path("spec").path(list)) {
                JsonNode q = c.path("resources").path("requests").path(r);
                if (q.isString()) {
                    sum = sum.add(KubeQuantity.parse(q.asString()).value());
                }
            }
        }
        return sum.compareTo(KubeQuantity.parse(podRequest.asString()).value()) > 0;
    }

    /** The resource a LimitRanger finding is about. */
    private static String resourceOf(String finding) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(?:(?:minimum|maximum) (\\S+) usage|(\\S+) max limit to request ratio)")
                .matcher(finding);
        return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : "";
    }

    /** Both absent, or the same quantity. */
    private static boolean equal(JsonNode a, JsonNode b) {
        return a.isMissingNode() && b.isMissingNode() || same(a, b);
    }

    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isObject() || b.isObject()) {
            Map<String, BigDecimal> x = new TreeMap<>();
            Map<String, BigDecimal> y = new TreeMap<>();
            a.properties().forEach(e -> x.put(e.getKey(), KubeQuantity.parse(e.getValue().asString()).value().stripTrailingZeros()));
            b.properties().forEach(e -> y.put(e.getKey(), KubeQuantity.parse(e.getValue().asString()).value().stripTrailingZeros()));
            return x.equals(y);
        }
        return a.isString() && b.isString() && KubeQuantity.parse(a.asString()).compareTo(KubeQuantity.parse(b.asString())) == 0;
    }

    /** The resources some container of {@code pod} limits without requesting. */
    private static Set<String> limitedWithoutRequest(JsonNode pod) {
        Set<String> out = new TreeSet<>();
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : pod.path("spec").path(list)) {
                for (String r : c.path("resources").path("limits").propertyNames()) {
                    if (!c.path("resources").path("requests").has(r)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    /** Each container's requests and limits by value, in a canonical form. */
    private static String resources(JsonNode pod) {
        Map<String, Map<String, BigDecimal>> out = new TreeMap<>();
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : pod.path("spec").path(list)) {
                for (String kind : List.of("requests", "limits")) {
                    Map<String, BigDecimal> values = new TreeMap<>();
                    for (var e : c.path("resources").path(kind).properties()) {
                        values.put(e.getKey(), KubeQuantity.parse(e.getValue().asString()).value().stripTrailingZeros());
                    }
                    out.put(list + "/" + c.path("name").asString() + "/" + kind, values);
                }
            }
        }
        return out.toString();
    }

    /**
     * Whether a ratio finding ({@code cpu max limit to request ratio per Container is 1100m, but
     * provided ratio is …}) is one where LimitRanger's floating-point quotient and the exact
     * comparison part for some container of the pod: {@code limit / request × 1000 > ratio} in
     * doubles, against {@code limit × 1000 > ratio × request} in integers (thousandths, rounded up).
     */
    private static boolean decidedByFloatingPoint(String finding, JsonNode pod) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\S+) max limit to request ratio per Container is (\\S+), but provided ratio is")
                .matcher(finding);
        if (!m.find()) {
            return false;
        }
        String resource = m.group(1);
        java.math.BigInteger e = KubeQuantity.parse(m.group(2)).milliCeil();
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : pod.path("spec").path(list)) {
                JsonNode req = c.path("resources").path("requests").path(resource);
                JsonNode lim = c.path("resources").path("limits").path(resource);
                if (!req.isString() || !lim.isString()) {
                    continue;
                }
                java.math.BigInteger r = KubeQuantity.parse(req.asString()).milliCeil();
                java.math.BigInteger l = KubeQuantity.parse(lim.asString()).milliCeil();
                boolean floating = l.doubleValue() / r.doubleValue() * 1000 > e.doubleValue();
                boolean exact = l.multiply(java.math.BigInteger.valueOf(1000)).compareTo(e.multiply(r)) > 0;
                if (floating != exact) {
                    return true;
                }
            }
        }
        return false;
    }
}
