package io.podguard.server;

import io.podguard.engine.Text;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.podguard.policy.NamespaceLabels;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Namespace labels and annotations for the resolver, from a fabric8 informer (list + watch of
 * Namespaces; RBAC: get, list, watch on namespaces, nothing else). Started only when needed, so
 * podguard runs without a cluster when its policy neither matches on labels nor honours the
 * placement plugins' namespace annotations.
 *
 * <p>Before the first list completes, readiness is blocked ({@code namespaces}); a namespace
 * missing from the cache (created a moment ago, the watch not there yet) is read once from the
 * apiserver; when that fails too (or the apiserver says it does not exist) it is
 * {@linkplain #unreadable unreadable}, and a request whose decision it could change is refused,
 * as Pod Security Admission refuses it.
 */
final class NamespaceCache implements NamespaceLabels, AutoCloseable {

    static final String READINESS = "namespaces";
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceCache.class);
    private static final long FIRST_RETRY_SECONDS = 2;
    private static final long MAX_RETRY_SECONDS = 60;

    private final Supplier<KubernetesClient> clients;
    private final Readiness readiness;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("namespace-cache").factory());
    private volatile @Nullable KubernetesClient client;
    private volatile @Nullable SharedIndexInformer<Namespace> informer;
    private volatile boolean synced;
    /** A namespace name is a DNS label (RFC 1123). */
    private static final java.util.regex.Pattern NAMESPACE_NAME = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    static final java.time.Duration FETCH_TIMEOUT = java.time.Duration.ofSeconds(1);
    static final java.time.Duration FETCH_BACKOFF = java.time.Duration.ofSeconds(10);
    private static final java.util.concurrent.ExecutorService FETCHERS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
    private volatile long fetchBackoffUntil;
    /** Why the last reads of namespaces failed, by name; bounded (cleared when full): for the refusal's detail only. */
    private final Map<String, String> failures = new java.util.concurrent.ConcurrentHashMap<>();
    static final int MAX_FAILURES_KEPT = 1024;
    private volatile boolean started;
    /** Doubles after each failed start, up to a minute: no cluster must not mean a log line every second. */
    private long retrySeconds = FIRST_RETRY_SECONDS;

    NamespaceCache(Supplier<KubernetesClient> clients, Readiness readiness) {
        this.clients = clients;
        this.readiness = readiness;
    }

    /**
     * Starts the informer once; later calls do nothing.
     *
     * @param blockReadiness true at start-up (no traffic before the labels are known); false when a
     *     reloaded policy starts needing labels, so that every replica does not leave the Service at once
     */
    synchronized void start(boolean blockReadiness) {
        if (started) {
            return;
        }
        started = true;
        if (blockReadiness) {
            readiness.block(READINESS, "namespace cache not synced");
        }
        retries.execute(this::startInformer);
    }

    boolean isSynced() {
        return synced;
    }

    /**
     * The cache's apiserver client, made on first use: the label dry run lists a namespace's pods
     * with it.
     *
     * @throws RuntimeException when there is no cluster to reach
     */
    synchronized KubernetesClient client() {
        KubernetesClient c = client;
        if (c == null) {
            c = clients.get();
            client = c;
        }
        return c;
    }

    private void startInformer() {
        try {
            KubernetesClient c = client();
            SharedIndexInformer<Namespace> inf = c.namespaces().runnableInformer(0);
            informer = inf;
            inf.start().whenComplete((ok, error) -> {
                if (error != null) {
                    inf.stop();
                    retryLater("initial list failed", error);
                } else {
                    synced = true;
                    retrySeconds = FIRST_RETRY_SECONDS;
                    readiness.ready(READINESS);
                    LOG.info("namespace cache synced: {} namespaces", inf.getStore().list().size());
                    // The informer reconnects by itself; should it give up, start a new one (the
                    // labels already known stay in use meanwhile, misses are read from the apiserver).
                    inf.stopped().whenComplete((stopped, failure) -> {
                        if (failure != null && !retries.isShutdown()) {
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
            return; // closing: the informer was stopped on purpose
        }
        long delay = retrySeconds;
        retrySeconds = Math.min(MAX_RETRY_SECONDS, retrySeconds * 2);
        LOG.warn("namespace cache: {} ({}); retrying in {}s", what, oneLine(error), delay);
        retries.schedule(this::startInformer, delay, TimeUnit.SECONDS);
    }

    @Override
    public @Nullable Map<String, String> labels(String namespace) {
        Namespace ns = namespace(namespace);
        if (ns == null) {
            return null;
        }
        Map<String, String> labels = ns.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    /** The annotations: the placement plugins' namespace annotations are read from here. */
    @Override
    public @Nullable Map<String, String> annotations(String namespace) {
        Namespace ns = namespace(namespace);
        if (ns == null) {
            return null;
        }
        Map<String, String> annotations = ns.getMetadata().getAnnotations();
        return annotations == null ? Map.of() : annotations;
    }

    private @Nullable Namespace namespace(String namespace) {
        if (!started) {
            return null; // namespaces not watched: none is known
        }
        SharedIndexInformer<Namespace> inf = informer;
        Namespace ns = inf == null ? null : inf.getStore().getByKey(namespace);
        if (ns == null) {
            ns = fetch(namespace);
        }
        return ns == null || ns.getMetadata() == null ? null : ns;
    }

    /**
     * Once the cache is started, a namespace it cannot give should have been known: the reason it
     * could not be read. Null before (namespaces not watched: no selector matches, as offline).
     */
    @Override
    public @Nullable String unreadable(String namespace) {
        if (!started) {
            return null;
        }
        String why = failures.get(namespace);
        return why != null ? why : informer == null ? "the namespace cache has not started" : "not in the namespace cache";
    }

    private void failed(String namespace, String why) {
        if (failures.size() >= MAX_FAILURES_KEPT) {
            failures.clear();
        }
        failures.put(namespace, why);
    }

    /** The labels of {@code namespace} if the cache holds it; never asks the apiserver. */
    @Nullable Map<String, String> cachedLabels(String namespace) {
        SharedIndexInformer<Namespace> inf = informer;
        Namespace ns = inf == null ? null : inf.getStore().getByKey(namespace);
        if (ns == null || ns.getMetadata() == null) {
            return null;
        }
        Map<String, String> labels = ns.getMetadata().getLabels();
        return labels == null ? Map.of() : labels;
    }

    /**
     * Reads a namespace the cache does not know yet, on the admission path: bounded to
     * {@link #FETCH_TIMEOUT} (the client's own retries could take longer than the webhook's
     * timeout), and skipped for a while after the apiserver failed to answer, so that a lost
     * connection costs no review more than that once.
     */
    private @Nullable Namespace fetch(String namespace) {
        if (!NAMESPACE_NAME.matcher(namespace).matches()) {
            // No such namespace can exist; and a name with '/' or '..' must not become a path on the apiserver.
            failed(namespace, "namespaces " + io.podguard.engine.Text.goQuote(namespace) + " not found");
            return null;
        }
        KubernetesClient c = client;
        if (c == null) {
            failed(namespace, "no apiserver client");
            return null;
        }
        if (System.nanoTime() < fetchBackoffUntil) {
            failed(namespace, "the apiserver did not answer a lookup a moment ago; lookups paused for "
                    + FETCH_BACKOFF.toSeconds() + "s");
            return null;
        }
        java.util.concurrent.CompletableFuture<Namespace> read = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> c.namespaces().withName(namespace).get(), FETCHERS);
        try {
            Namespace ns = read.get(FETCH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (ns == null) {
                failed(namespace, "namespaces " + io.podguard.engine.Text.goQuote(namespace) + " not found");
            } else {
                failures.remove(namespace);
            }
            return ns;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(namespace, "interrupted");
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            read.cancel(true);
            fetchBackoffUntil = System.nanoTime() + FETCH_BACKOFF.toNanos();
            String why = e instanceof java.util.concurrent.TimeoutException
                    ? "no answer from the apiserver within " + FETCH_TIMEOUT.toMillis() + " ms" : oneLine(e);
            failed(namespace, why);
            LOG.warn("namespace {} not in cache and not readable ({}); requests it could decide are refused, "
                    + "no lookups for {}s", namespace, why, FETCH_BACKOFF.toSeconds());
            return null;
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
        SharedIndexInformer<Namespace> inf = informer;
        if (inf != null) {
            inf.stop();
        }
    }

    /** The root cause's message, first line only. */
    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return io.podguard.engine.Text.oneLine(root.getMessage(), root.getClass().getSimpleName());
    }
}
