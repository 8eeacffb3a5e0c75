package io.podguard.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two replicas' elections against fabric8's mock apiserver, with a lease of 2 s: one leads,
 * the other follows and knows who leads; when the leader can no longer renew (its apiserver
 * connection is gone, as when its pod dies), it stops counting itself the leader before the
 * other takes the Lease, and the other does take it; a leader that shuts down gives the Lease up.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS)
class LeaderElectionTest {

    KubernetesMockServer server;
    KubernetesClient client;

    private static final Duration LEASE = Duration.ofSeconds(2);
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    private LeaderElection replica(String identity, KubernetesClient client, List<String> told) {
        LeaderElection election = new LeaderElection(client,
                new LeaderElection.Settings("podguard-system", "podguard", identity, LEASE, Duration.ofMillis(1500), Duration.ofMillis(200)));
        election.addListener(new Leadership.Listener() {
            @Override
            public void startedLeading() {
                told.add(identity + " leads");
            }

            @Override
            public void stoppedLeading() {
                told.add(identity + " follows");
            }
        });
        open.add(election);
        election.start();
        return election;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /**
     * Polls until {@code condition} holds. No stopwatch here: a replica that never gets there is
     * caught by the class's {@link Timeout}, a guard against a hang set far above any wait a
     * loaded machine needs, whose interrupt names what was awaited.
     */
    private static void await(String what, BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("still waiting for " + what, e);
            }
        }
    }

    /** A client of the mock apiserver whose requests go to a closed port once {@code cut} is set. */
    private KubernetesClient cuttable(java.util.concurrent.atomic.AtomicBoolean cut) throws java.io.IOException {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        int dead = closed;
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("cut", new io.fabric8.kubernetes.client.http.Interceptor() {
                    @Override
                    public void before(io.fabric8.kubernetes.client.http.BasicBuilder builder, io.fabric8.kubernetes.client.http.HttpRequest request,
                                       io.fabric8.kubernetes.client.http.Interceptor.RequestTags tags) {
                        if (cut.get()) {
                            builder.uri(java.net.URI.create(request.uri().toString().replaceFirst("://[^/]+", "://127.0.0.1:" + dead)));
                        }
                    }
                })).build();
    }

    private Lease lease() {
        return client.leases().inNamespace("podguard-system").withName("podguard").get();
    }

    @Test
    void startWhenTwoReplicasThenOneLeadsAndTheOtherKnowsWhom() throws Exception {
        List<String> told = new CopyOnWriteArrayList<>();
        LeaderElection a = replica("replica-a", server.createClient(), told);
        await("replica-a to lead", a::isLeader);
        LeaderElection b = replica("replica-b", server.createClient(), told);
        await("replica-b to see the Lease", () -> "replica-a".equals(b.leader()));
        Thread.sleep(LEASE.toMillis() * 2);

        assertThat(a.isLeader()).isTrue();
        assertThat(b.isLeader()).isFalse();
        assertThat(told).containsExactly("replica-a leads");
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("replica-a");
        assertThat(lease().getSpec().getLeaseDurationSeconds()).isEqualTo(2);
    }

    @Test
    void renewWhenTheLeaderLosesTheApiserverThenItStopsLeadingBeforeTheOtherTakesTheLease() throws Exception {
        List<String> told = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
        KubernetesClient leaderClient = cuttable(cut);
        open.add(leaderClient);
        LeaderElection a = replica("replica-a", leaderClient, told);
        await("replica-a to lead", a::isLeader);
        LeaderElection b = replica("replica-b", server.createClient(), told);
        await("replica-b to see the Lease", () -> "replica-a".equals(b.leader()));

        // replica-a is cut off from the apiserver: its requests fail from now on, it renews no more.
        cut.set(true);
        ZonedDateTime lastRenewal = lease().getSpec().getRenewTime();
        boolean bothLed = false;
        while (!b.isLeader()) {
            // Asked in this order: a replica that leads never sees the other one still leading.
            boolean bLeads = b.isLeader();
            bothLed |= bLeads && a.isLeader();
            Thread.sleep(5);
        }
        ZonedDateTime seenLeading = ZonedDateTime.now();

        assertThat(b.isLeader()).as("replica-b took over").isTrue();
        assertThat(bothLed).as("both led at once").isFalse();
        assertThat(a.isLeader()).isFalse();
        Lease lease = lease();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("replica-b");
        assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(1);
        // replica-b waited out the whole lease after replica-a's last renewal. (Not by the Lease's
        // acquireTime alone: fabric8 stamps it before it reads the Lease it decides on, so it may
        // precede renewTime + lease by that read's latency.)
        assertThat(Duration.between(lastRenewal, seenLeading)).isGreaterThanOrEqualTo(LEASE);
        assertThat(lease.getSpec().getAcquireTime()).isAfter(lastRenewal);
        await("replica-a to be told", () -> told.contains("replica-a follows"));
        assertThat(told).containsSubsequence("replica-a leads", "replica-a follows").containsSubsequence("replica-a leads", "replica-b leads");
    }

    @Test
    void closeWhenTheLeaderShutsDownThenItGivesTheLeaseUpAndTheOtherTakesItWithoutWaitingItOut() throws Exception {
        List<String> told = new CopyOnWriteArrayList<>();
        LeaderElection a = replica("replica-a", server.createClient(), told);
        await("replica-a to lead", a::isLeader);
        LeaderElection b = replica("replica-b", server.createClient(), told);
        await("replica-b to see the Lease", () -> "replica-a".equals(b.leader()));

        a.close();
        long closed = System.nanoTime();

        assertThat(a.isLeader()).isFalse();
        // Given up: no holder, and a lease of a second.
        // Given up as client-go gives it up: renewed now for one second only, so the other need not wait out the lease.
        Lease released = lease();
        assertThat(released.getSpec().getHolderIdentity()).isEqualTo("replica-a");
        assertThat(released.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
        // Not before the second is out: while half of it runs (by this test's clock, which only
        // a late replica can make pass), replica-b follows. fabric8 stamps acquireTime before it
        // reads the Lease it decides on, so the stored times may differ by that read's latency.
        while (System.nanoTime() - closed < Duration.ofMillis(500).toNanos()) {
            assertThat(b.isLeader()).as("replica-b leading before the given-up lease ran out").isFalse();
            Thread.sleep(20);
        }
        await("replica-b to lead", b::isLeader);
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("replica-b");
        assertThat(lease().getSpec().getAcquireTime()).isAfter(released.getSpec().getRenewTime());
        assertThat(told).containsExactly("replica-a leads", "replica-a follows", "replica-b leads");
    }

    @Test
    void settingsWhenTheDurationsDoNotNestThenRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LeaderElection.Settings("ns", "l", "me",
                        Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leader election needs leaseDuration > renewDeadline > retryPeriod > 0, not PT10S, PT10S, PT2S");
        // The Lease holds whole seconds: 1.5 s would be stored, and honoured by the others, as 1 s.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LeaderElection.Settings("ns", "l", "me",
                        Duration.ofMillis(1500), Duration.ofSeconds(1), Duration.ofMillis(200)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the lease duration must be whole seconds (the Lease stores seconds), not PT1.5S");
    }
}
