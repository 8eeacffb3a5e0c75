package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The HTTPS server as {@code java -jar} runs it (embedded default policy: enforce baseline,
 * audit and warn restricted; no cluster access): per-check metrics after a review, and {@code /audit} off with its reason.
 */
class ReportingServerTest extends WebhookServerTestSupport {

    private double evaluations(String metrics, String check, String decision, String level, String mode) {
        Matcher m = Pattern.compile("(?m)^podguard_policy_evaluations_total\\{[^}]*check=\"" + check + "\",decision=\"" + decision
                + "\",level=\"" + level + "\",mode=\"" + mode + "\"} (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void validateWhenAPrivilegedPodIsDeniedThenEachCheckIsCountedUnderEnforce() throws Exception {
        String before = getManagement("/metrics").body();

        HttpResponse<String> review = post("/validate", Reviews.create(Pods.PRIVILEGED));
        String after = getManagement("/metrics").body();

        assertThat(review.body()).contains("\"allowed\":false");
        assertThat(evaluations(after, "privileged", "deny", "baseline", "enforce")
                - evaluations(before, "privileged", "deny", "baseline", "enforce")).isEqualTo(1);
        assertThat(evaluations(after, "procMount_restricted", "allow", "restricted", "warn")
                - evaluations(before, "procMount_restricted", "allow", "restricted", "warn")).isEqualTo(1);
        assertThat(after).doesNotContainPattern("podguard_policy_evaluations_total\\{[^}]*(name|namespace|pod)=");
    }

    @Test
    void auditWhenNoClusterAccessThenDisabledWithTheReason() throws Exception {
        HttpResponse<String> response = getManagement("/audit");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"enabled\":false,\"reason\":\"no cluster access (no kubeconfig found: "
                + "pass --kubeconfig FILE, set $KUBECONFIG, or create " + Path.of(System.getProperty("user.home"), ".kube", "config")
                + " (and podguard does not run in a pod, so it has no service account either))\"}");
        assertThat(getManagement("/audit/team-a").statusCode()).isEqualTo(404);
    }
}
