package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The HTTPS server as {@code java -jar} runs it (embedded default policy: enforce baseline,
 * audit and warn restricted; no cluster access): per-check metrics after a review, and {@code /audit}
 * off unless enabled.
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

    /** /audit lists the cluster's riskiest pods to whoever reaches the management port: off unless asked for. */
    @Test
    void auditWhenNotEnabledThenNotServed() throws Exception {
        assertThat(getManagement("/audit").statusCode()).isEqualTo(404);
        assertThat(getManagement("/audit/team-a").statusCode()).isEqualTo(404);
        assertThat(getManagement("/").body()).doesNotContain("audit");
        assertThat(getManagement("/livez").statusCode()).isEqualTo(200);
    }
}
