package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.podguard.testing.ConfigMapVolume;
import io.podguard.testing.Pods;
import io.podguard.testing.Reviews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The policy swapped as the kubelet swaps a ConfigMap volume, while reviews flow: none fails,
 * the new policy is in force within 5 s, a broken one or a missing file changes nothing.
 */
class PolicyReloadTest extends WebhookServerTestSupport {

    static final String ENFORCE = "apiVersion: podguard.io/v1alpha1\nkind: PodGuardPolicy\nmode: enforce\npodSecurity: {level: baseline}\n";
    static final String WARN = "mode: warn\npodSecurity: {level: baseline}\n";
    static final String BROKEN = "mode: warn\npodSecurity: {level: strict}\npodSecurty: {}\n";
    static final ConfigMapVolume VOLUME;

    static {
        try {
            VOLUME = new ConfigMapVolume(Files.createTempDirectory("podguard-configmap"), "policy.yaml", ENFORCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void policy(DynamicPropertyRegistry registry) {
        registry.add("podguard.policy-file", () -> VOLUME.file().toString());
    }

    private final String review = Reviews.create(Pods.PRIVILEGED);

    private boolean allowed() throws Exception {
        HttpResponse<String> resp = post("/validate", review);
        assertThat(resp.statusCode()).isEqualTo(200);
        return Reviews.response(resp.body()).path("allowed").asBoolean();
    }

    private double metric(String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(getManagement("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static final String FAILURES = "podguard_config_reloads_total{application=\"podguard\",result=\"failure\"}";
    private static final String SUCCESSES = "podguard_config_reloads_total{application=\"podguard\",result=\"success\"}";
    private static final String LAST_SUCCESS = "podguard_config_last_reload_success_timestamp_seconds{application=\"podguard\"}";

    @Test
    void swapWhileReviewsFlowThenNoneFailsAndOnlyGoodPoliciesTakeEffect() throws Exception {
        assertThat(allowed()).isFalse();
        assertThat(metric(SUCCESSES)).isZero();
        assertThat(metric(FAILURES)).isZero();

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(Thread.ofPlatform().start(() -> {
                // bounded: stops when told, or after 20 000 reviews
                for (int n = 0; n < 20_000 && running.get(); n++) {
                    try {
                        HttpResponse<String> resp = post("/validate", review);
                        JsonNode response = Reviews.response(resp.body());
                        if (resp.statusCode() != 200 || !"705ab4f5-6393-11e8-b7cc-42010a800002".equals(response.path("uid").asString())) {
                            failures.add(resp.statusCode() + " " + resp.body());
                        }
                        answered.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        try {
            // a good policy: in force within 5 s
            VOLUME.update(WARN);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(this::allowed);
            assertThat(metric(SUCCESSES)).isEqualTo(1.0);
            double lastGood = metric(LAST_SUCCESS);
            assertThat(lastGood).isPositive();

            // a broken policy: refused, counted, the last good one stays
            VOLUME.update(BROKEN);
            await().atMost(Duration.ofSeconds(5)).until(() -> metric(FAILURES) == 1.0);
            assertThat(allowed()).isTrue();
            assertThat(metric(LAST_SUCCESS)).isEqualTo(lastGood);
            assertThat(metric(SUCCESSES)).isEqualTo(1.0);

            // the key removed from the ConfigMap: still the last good policy, still ready
            VOLUME.removeKey();
            await().atMost(Duration.ofSeconds(5)).until(() -> metric(FAILURES) == 2.0);
            assertThat(allowed()).isTrue();
            assertThat(getManagement("/readyz").statusCode()).isEqualTo(200);

            // back, and enforcing again
            VOLUME.restoreKey();
            VOLUME.update(ENFORCE);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> !allowed());
            assertThat(metric(SUCCESSES)).isEqualTo(2.0);
        } finally {
            running.set(false);
            for (Thread t : clients) {
                t.join(Duration.ofSeconds(30));
            }
        }
        assertThat(failures).isEmpty();
        assertThat(answered.get()).isPositive();
    }
}
