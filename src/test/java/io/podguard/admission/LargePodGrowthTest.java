package io.podguard.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import io.podguard.engine.Engine;
import io.podguard.policy.PolicyLoader;
import io.podguard.policy.PolicyResolver;
import io.podguard.report.ReviewObserver;
import io.podguard.testing.Reviews;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A pod with thousands of privileged containers and hostPath volumes (within max-review-bytes) is
 * judged and defaulted in work linear in its size: the bytes allocated to answer a pod four times
 * as large are about four times as many, not sixteen. Allocation, not a stopwatch, is the measure
 * of work: a message, path list, patch or lookup rebuilt per container shows in it at once.
 */
class LargePodGrowthTest {

    private static final int N = 500;

    private final PolicyResolver resolver = PolicyResolver.fixed(PolicyLoader.embeddedDefault());
    private final AdmissionHandler handler = new AdmissionHandler(Engine.standard(), () -> resolver, ReviewObserver.NONE);

    static String pod(int containers, int volumes) {
        StringBuilder sb = new StringBuilder("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"big\",\"namespace\":\"default\"},"
                + "\"spec\":{\"containers\":[");
        for (int i = 0; i < containers; i++) {
            sb.append(i > 0 ? "," : "").append("{\"name\":\"c").append(i)
                    .append("\",\"image\":\"busybox\",\"securityContext\":{\"privileged\":true}}");
        }
        sb.append("],\"volumes\":[");
        for (int i = 0; i < volumes; i++) {
            sb.append(i > 0 ? "," : "").append("{\"name\":\"v").append(i).append("\",\"hostPath\":{\"path\":\"/h").append(i).append("\"}}");
        }
        return sb.append("]}}").toString();
    }

    @Test
    void validateWhenFourTimesTheContainersThenAboutFourTimesTheWork() throws Exception {
        assertLinear(Endpoint.VALIDATE);
    }

    @Test
    void mutateWhenFourTimesTheContainersThenAboutFourTimesTheWork() throws Exception {
        assertLinear(Endpoint.MUTATE);
    }

    @Test
    void largePodThenDeniedNamingEveryContainerOnce() throws Exception {
        JsonNode response = Reviews.response(handler.handle(Endpoint.VALIDATE, body(4 * N)));

        assertThat(response.path("allowed").asBoolean()).isFalse();
        String message = response.path("status").path("message").asString();
        // booleans, not the message itself: a failure must not print a message of 20,000 names
        assertThat(message.startsWith("violates PodSecurity \"baseline:latest\": hostPath volumes (volumes \"v0\", \"v1\", "))
                .as("message start").isTrue();
        assertThat(message.endsWith(", \"c" + (4 * N - 1) + "\" must not set securityContext.privileged=true)")).as("message end").isTrue();
        for (int i : new int[] {0, 1, N, 4 * N - 1}) {
            String name = "\"c" + i + "\"";
            assertThat(message.indexOf(name)).as(name).isPositive().isEqualTo(message.lastIndexOf(name));
        }
    }

    private void assertLinear(Endpoint endpoint) throws Exception {
        byte[] small = body(N);
        byte[] large = body(4 * N);
        long smallBytes = allocated(endpoint, small);
        long largeBytes = allocated(endpoint, large);

        assertThat((double) largeBytes / smallBytes)
                .as("%s: %d bytes allocated for %d containers, %d for %d", endpoint, smallBytes, N, largeBytes, 4 * N)
                .isBetween(3.0, 6.0);
    }

    /** The fewest bytes this thread allocates to answer {@code body}, of a few answers (the first ones warm the code up). */
    private long allocated(Endpoint endpoint, byte[] body) throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long fewest = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            handler.handle(endpoint, body);
            fewest = Math.min(fewest, threads.getCurrentThreadAllocatedBytes() - before);
        }
        return fewest;
    }

    private static byte[] body(int containers) {
        return Reviews.create(pod(containers, containers / 3)).getBytes(StandardCharsets.UTF_8);
    }
}
