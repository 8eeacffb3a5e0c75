package io.podguard.server;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.podguard.engine.resources.NamespaceResources;
import io.podguard.policy.NamespaceLimits;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LimitRanges and ResourceQuotas of every namespace, for the resource defaults, from two
 * fabric8 informers (list + watch; RBAC: get, list, watch on limitranges and resourcequotas,
 * nothing else). Before both have listed, readiness is blocked ({@code namespace-resources}): a
 * replica that does not know a namespace's quota yet would default its pods as if it had none, and
 * the quota would refuse them. Once synced, the caches are authoritative (no lookups on the
 * admission path); should a watch give up, new informers are started and the objects already
 * known stay in use meanwhile.
 */
final class NamespaceResourcesCache implements NamespaceLimits, AutoCloseable {

    static final String READINESS = "namespace-resources";
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceResourcesCache.class);
    private static final long FIRST_RETRY_SECONDS = 2;
    private static final long MAX_RETRY_SECONDS = 60;

    private final Supplier<KubernetesClient> clients;
    private final Readiness readiness;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("namespace-resources").factory());
    private volatile @Nullable KubernetesClient client;
    private volatile @Nullable SharedIndexInformer<LimitRange> limitRanges;
    private volatile @Nullable SharedIndexInformer<ResourceQuota> quotas;
    private volatile boolean synced;
    /** Set when a watch gave up and new informers are on their way: both informers stopping makes one restart. */
    private final java.util.concurrent.atomic.AtomicBoolean restarting = new java.util.concurrent.atomic.AtomicBoolean();
    private boolean started;
    /** Doubles after each failed start, up to a minute: no cluster must not mean a log line every second. */
    private long retrySeconds = FIRST_RETRY_SECONDS;

    NamespaceResourcesCache(Supplier<KubernetesClient> clients, Readiness readiness) {
        this.clients = clients;
        this.readiness = readiness;
    }

    /** Starts the informers once, readiness blocked until both have listed; later calls do nothing. */
    synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        readiness.block(READINESS, "LimitRange and ResourceQuota caches not synced");
        retries.execute(this::startInformers);
    }

    boolean isSynced() {
        return synced;
    }

    private void startInformers() {
        restarting.set(false);
        try {
            KubernetesClient c = client;
            if (c == null) {
                c = clients.get();
                client = c;
            }
            SharedIndexInformer<LimitRange> lr = c.limitRanges().inAnyNamespace().runnableInformer(0);
            SharedIndexInformer<ResourceQuota> rq = c.resourceQuotas().inAnyNamespace().runnableInformer(0);
            CompletableFuture.allOf(lr.start().toCompletableFuture(), rq.start().toCompletableFuture()).whenComplete((ok, error) -> {
                if (error != null) {
                    lr.stop();
                    rq.stop();
                    retryLater("initial list failed", error);
                    return;
                }
                limitRanges = lr;
                quotas = rq;
                synced = true;
                retrySeconds = FIRST_RETRY_SECONDS;
                readiness.ready(READINESS);
                LOG.info("namespace resources synced: {} LimitRanges, {} ResourceQuotas",
                        lr.getStore().list().size(), rq.getStore().list().size());
                for (SharedIndexInformer<?> inf : List.of(lr, rq)) {
                    inf.stopped().whenComplete((stopped, failure) -> {
                        if (failure != null && !retries.isShutdown() && restarting.compareAndSet(false, true)) {
                            lr.stop();
                            rq.stop();
                            retryLater("watch stopped", failure);
                        }
                    });
                }
            });
        } catch (RuntimeException e) {
            retryLater("cannot start", e);
        }
    }

    private synchronized void retryLater(String what, Throwable error) {
        if (retries.isShutdown()) {
            return; // closing: the informers were stopped on purpose
        }
        long delay = retrySeconds;
        retrySeconds = Math.min(MAX_RETRY_SECONDS, retrySeconds * 2);
        LOG.warn("LimitRange and ResourceQuota caches: {} ({}); retrying in {}s", what, NamespaceCache.oneLine(error), delay);
        retries.schedule(this::startInformers, delay, TimeUnit.SECONDS);
    }

    @Override
    public NamespaceResources of(String namespace) {
        SharedIndexInformer<LimitRange> lr = limitRanges;
        SharedIndexInformer<ResourceQuota> rq = quotas;
        if (lr == null || rq == null) {
            return NamespaceResources.NONE;
        }
        List<LimitRange> ranges = lr.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
        List<ResourceQuota> qs = rq.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
        return ranges.isEmpty() && qs.isEmpty() ? NamespaceResources.NONE : NamespaceResources.of(ranges, qs);
    }

    @Override
    public void close() {
        retries.shutdownNow();
        for (SharedIndexInformer<?> inf : new SharedIndexInformer<?>[] {limitRanges, quotas}) {
            if (inf != null) {
                inf.stop();
            }
        }
    }

}
