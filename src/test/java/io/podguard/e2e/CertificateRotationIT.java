package io.podguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podguard.e2e.WebhookConfigurations.FailurePolicy;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The serving certificate is rotated twice (same CA, as cert-manager or the chart's Secret
 * renewal does) while the apiserver keeps sending pods: not one admission fails.
 */
class CertificateRotationIT extends ClusterTest {

    @AfterAll
    static void unregister() {
        WebhookConfigurations.delete(client);
    }

    @Test
    void servingCertificateRotatedTwiceUnderLoadThenNoAdmissionFails() throws Exception {
        // The suite's shared enforcing podguard: a rotation keeps the CA, so its caBundle stays valid for the others.
        Podguard podguard = Policies.shared("enforce-baseline", Policies.ENFORCE_BASELINE);
        {
            WebhookConfigurations.register(client, podguard, FailurePolicy.Fail);
            String ns = Namespaces.create(client, "rotation");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger admitted = new AtomicInteger();
            AtomicInteger denied = new AtomicInteger();
            AtomicInteger names = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                senders.add(Thread.ofPlatform().name("pod-sender-" + t).start(() -> {
                    while (!stop.get()) {
                        int n = names.incrementAndGet();
                        try {
                            // Alternately a pod to admit and one to deny: both need podguard's answer.
                            if (n % 2 == 0) {
                                client.pods().inNamespace(ns).resource(Manifests.restrictedPod("pod-" + n)).create();
                                admitted.incrementAndGet();
                            } else {
                                client.pods().inNamespace(ns).resource(Manifests.privilegedPod("pod-" + n)).create();
                                failures.add("pod-" + n + " admitted although privileged");
                            }
                        } catch (KubernetesClientException e) {
                            String message = e.getStatus() == null ? e.toString() : e.getStatus().getMessage();
                            if (n % 2 == 1 && AdmissionIT.DENIAL.equals(message)) {
                                denied.incrementAndGet();
                            } else {
                                failures.add("pod-" + n + ": " + e.getCode() + " " + message);
                            }
                        }
                    }
                }));
            }
            try {
                List<Integer> admittedPerPhase = new ArrayList<>();
                awaitMore(admitted, 20);
                for (int rotation = 1; rotation <= 2; rotation++) {
                    X509Certificate next = podguard.rotateCertificate();
                    awaitServed(podguard, next);
                    int before = admitted.get();
                    awaitMore(admitted, 20);
                    admittedPerPhase.add(admitted.get() - before);
                }
                stop.set(true);
                for (Thread sender : senders) {
                    sender.join(Duration.ofSeconds(30));
                }
                System.out.printf("certificate rotation: %d admitted, %d denied, %d failed%n", admitted.get(), denied.get(), failures.size());
                assertThat(failures).as("failed admissions during rotation; podguard log:%n%s", podguard.log()).isEmpty();
                assertThat(admittedPerPhase).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(20));
                assertThat(denied.get()).isPositive();
            } finally {
                stop.set(true);
            }
        }
    }

    private static void awaitMore(AtomicInteger counter, int more) {
        int target = counter.get() + more;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (counter.get() < target) {
            assertThat(Instant.now()).as("%d more pods admitted within 60 s", more).isBefore(deadline);
            Podguard.sleep(50);
        }
    }

    private static void awaitServed(Podguard podguard, X509Certificate expected) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!podguard.servedCertificate().getSerialNumber().equals(expected.getSerialNumber())) {
            assertThat(Instant.now()).as("podguard serves the rotated certificate within 30 s").isBefore(deadline);
            Podguard.sleep(100);
        }
    }
}
