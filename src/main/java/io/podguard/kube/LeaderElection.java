package io.podguard.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.podguard.engine.Text;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One leader among podguard's replicas, elected through a {@code coordination.k8s.io/v1} Lease
 * with fabric8's {@code LeaderElector} and {@code LeaseLock}, as client-go's leader election does
 * it: the leader renews the Lease every {@code retryPeriod}; when it has not renewed it for
 * {@code renewDeadline} it stops leading; another replica takes the Lease once it has not been
 * renewed for {@code leaseDuration} (which is longer than the renew deadline, so two never lead
 * at once on clocks that agree). A replica that shuts down gives the Lease up: it renews it for
 * one second only (client-go's release), so another takes it a second later.
 *
 * <p>fabric8's elector ends when its replica loses the Lease; this class starts another, so a
 * replica that lost it (a network partition, a slow apiserver) stands again. It runs on threads
 * of its own: nothing on the webhook's path waits for it, and a replica that is not the leader is
 * ready and serves reviews all the same.
 */
public final class LeaderElection implements Leadership, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(3);

    /**
     * @param namespace where the Lease lives (podguard's own namespace)
     * @param lease the Lease's name, the same for every replica of one installation
     * @param identity this replica's name, different for every replica and every start
     */
    public record Settings(String namespace, String lease, String identity, Duration leaseDuration, Duration renewDeadline,
                           Duration retryPeriod) {

        /** client-go's defaults: a leader lost for good is replaced within 15 s. */
        public static Settings defaults(String namespace, String lease, String identity) {
            return new Settings(namespace, lease, identity, Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
        }

        public Settings {
            if (!(leaseDuration.compareTo(renewDeadline) > 0 && renewDeadline.compareTo(retryPeriod) > 0 && retryPeriod.isPositive())) {
                throw new IllegalArgumentException("leader election needs leaseDuration > renewDeadline > retryPeriod > 0, not "
                        + leaseDuration + ", " + renewDeadline + ", " + retryPeriod);
            }
            if (leaseDuration.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException("the lease duration must be whole seconds (the Lease stores seconds), not " + leaseDuration);
            }
        }
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Listeners are told on this thread, in order, so that "started" never overtakes "stopped". */
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("podguard-leader").daemon().factory());
    private final ScheduledExecutorService restarter = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("podguard-leader-election").daemon().factory());
    private volatile boolean leading;
    /** Why the Lease could not be used the last time, null once it could. */
    private volatile @Nullable String failing;
    /** {@link System#nanoTime()} when this replica last wrote the Lease as its holder. */
    private volatile long renewedAt = System.nanoTime() - Duration.ofDays(1).toNanos();
    private volatile @Nullable String leader;
    private volatile boolean closed;
    private volatile boolean standing;
    private @Nullable CompletableFuture<?> term;

    public LeaderElection(KubernetesClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** Stands for election; returns at once. */
    public synchronized void start() {
        if (term == null && !closed) {
            standing = true;
            // A leader whose renewals stopped is told at the renew deadline, even if fabric8's loop is stuck.
            restarter.scheduleWithFixedDelay(this::checkFence, settings.retryPeriod().toMillis(), settings.retryPeriod().toMillis(),
                    TimeUnit.MILLISECONDS);
            LOG.info("leader election: standing as {} for Lease {}/{} (lease {}, renew deadline {}, retry {})", settings.identity(),
                    settings.namespace(), settings.lease(), settings.leaseDuration().toSeconds() + "s",
                    settings.renewDeadline().toMillis() + "ms", settings.retryPeriod().toMillis() + "ms");
            stand();
        }
    }

    private synchronized void stand() {
        if (closed) {
            return;
        }
        LeaderElectionConfig config = new LeaderElectionConfigBuilder()
                .withName("podguard")
                .withLock(new FencedLeaseLock(settings.namespace(), settings.lease(), settings.identity()))
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> leading(true), () -> leading(false), this::observed))
                .build();
        CompletableFuture<?> current = client.leaderElector().withConfig(config).build().start();
        term = current;
        current.whenComplete((v, t) -> {
            leading(false);
            if (!closed) {
                if (t != null && !(t instanceof java.util.concurrent.CancellationException)) {
                    LOG.warn("leader election ended: {}", t.toString());
                }
                // Lost the Lease (or never got it before the elector ended): stand again.
                restarter.schedule(this::stand, settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private void checkFence() {
        if (leading && !isLeader()) {
            LOG.warn("leader election: no renewal of Lease {}/{} for {}: this replica steps down", settings.namespace(), settings.lease(),
                    settings.renewDeadline());
            leading(false);
        }
    }

    private void observed(String holder) {
        String before = leader;
        leader = holder;
        if (!Objects.equals(before, holder)) {
            LOG.info("leader election: {} leads{}", holder == null || holder.isEmpty() ? "nobody" : holder,
                    settings.identity().equals(holder) ? " (this replica)" : "");
        }
    }

    private void leading(boolean now) {
        synchronized (this) {
            if (leading == now) {
                return;
            }
            leading = now;
        }
        if (now) {
            leader = settings.identity();
            LOG.info("leader election: this replica ({}) leads: it runs the background audit and writes PolicyReports", settings.identity());
        } else {
            LOG.info("leader election: this replica ({}) no longer leads", settings.identity());
        }
        for (Listener listener : listeners) {
            notifier.execute(() -> tell(listener, now));
        }
    }

    private static void tell(Listener listener, boolean leading) {
        try {
            if (leading) {
                listener.startedLeading();
            } else {
                listener.stoppedLeading();
            }
        } catch (RuntimeException e) {
            LOG.error("leader election: a listener failed", e);
        }
    }

    /**
     * True while this replica leads and renewed the Lease less than {@code renewDeadline} ago, by
     * its own monotonic clock: a replica whose renewals hang stops counting itself the leader
     * before anyone else may take the Lease, whether or not fabric8's loop has noticed yet.
     */
    @Override
    public boolean isLeader() {
        return leading && System.nanoTime() - renewedAt < settings.renewDeadline().toNanos();
    }

    /** The Lease lock, noting when this replica last wrote the Lease successfully. */
    private final class FencedLeaseLock extends LeaseLock {

        FencedLeaseLock(String namespace, String name, String identity) {
            super(namespace, name, identity);
        }

        @Override
        public synchronized LeaderElectionRecord get(KubernetesClient client) {
            return told(() -> super.get(client));
        }

        @Override
        public synchronized void create(KubernetesClient client, LeaderElectionRecord record) {
            written(record, () -> super.create(client, record));
        }

        @Override
        public synchronized void update(KubernetesClient client, LeaderElectionRecord record) {
            written(record, () -> super.update(client, record));
        }

        /** Writes {@code record} with {@code write}, then notes the renewal as of when the write was sent. */
        private void written(LeaderElectionRecord record, Runnable write) {
            long before = System.nanoTime();
            told(() -> {
                write.run();
                return null;
            });
            renewed(record, before);
        }

        /** Says once why the Lease cannot be read or written, and once when it can again. */
        private <T> T told(java.util.function.Supplier<T> call) {
            try {
                T result = call.get();
                if (failing != null) {
                    LOG.info("leader election: Lease {}/{} reachable again", settings.namespace(), settings.lease());
                    failing = null;
                }
                return result;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                String why = Text.joined(e.getCode() > 0 ? e.getCode() + " " + e.getMessage()
                        : String.valueOf(e.getCause() == null ? e : e.getCause()), "");
                // 409: another replica wrote first, the ordinary way of losing a race.
                if (e.getCode() != java.net.HttpURLConnection.HTTP_CONFLICT && !why.equals(failing)) {
                    LOG.warn("leader election: cannot use Lease {}/{}: {}", settings.namespace(), settings.lease(), why);
                    failing = why;
                }
                throw e;
            }
        }

        private void renewed(LeaderElectionRecord record, long before) {
            if (settings.identity().equals(record.getHolderIdentity())) {
                // When the write was sent, not when it returned: the Lease's renewTime is no later.
                renewedAt = before;
                if (!leading && standing) {
                    // Renewed in time after the fence had stepped this replica down: it leads again.
                    leading(true);
                }
            }
        }
    }

    @Override
    public String identity() {
        return settings.identity();
    }

    @Override
    public @Nullable String leader() {
        String holder = leader;
        return holder == null || holder.isEmpty() ? null : holder;
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(listener);
        if (leading) {
            notifier.execute(() -> tell(listener, true));
        }
    }

    public Settings settings() {
        return settings;
    }

    /** Steps down: gives the Lease up (another replica takes over at once) and stands no more. */
    @Override
    public void close() throws InterruptedException {
        CompletableFuture<?> current;
        synchronized (this) {
            closed = true;
            standing = false;
            current = term;
        }
        restarter.shutdownNow();
        if (current != null) {
            // fabric8 releases the Lease when its term is cancelled (releaseOnCancel); an apiserver
            // that does not answer does not hold shutdown up: the Lease then simply expires.
            CompletableFuture<Void> release = CompletableFuture.runAsync(() -> current.cancel(true));
            try {
                release.get(RELEASE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warn("leader election: the Lease was not given up in {} s; it expires by itself", RELEASE_WAIT.toSeconds());
            }
        }
        leading(false);
        notifier.shutdown();
        notifier.awaitTermination(5, TimeUnit.SECONDS);
    }
}
