package io.podguard.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests refused because their namespace could change the decision and could not be read:
 * counted by webhook ({@code podguard_admission_namespace_unavailable_total}, no namespace label:
 * anyone reaching the port names any namespace), logged once per namespace. Anyone reaching the
 * port can also invent a new name per request: the set of names already logged is bounded (when
 * full it starts again), and at most {@value #LINES_PER_MINUTE} lines are written a minute; the
 * next line says how many namespaces went unlogged meanwhile.
 */
final class UnreadableNamespaces {

    static final int MAX_LOGGED = 4096;
    static final int LINES_PER_MINUTE = 10;
    private static final long MINUTE_NANOS = 60_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(UnreadableNamespaces.class);

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private final java.util.function.LongSupplier nanoClock;
    private final java.util.function.Consumer<String> sink;
    private long windowStart;
    private int linesInWindow;
    private long unlogged;

    UnreadableNamespaces(MeterRegistry registry) {
        this(registry, System::nanoTime, LOG::warn);
    }

    /** @param sink receives each log line; tests collect them */
    UnreadableNamespaces(MeterRegistry registry, java.util.function.LongSupplier nanoClock, java.util.function.Consumer<String> sink) {
        this.registry = registry;
        this.nanoClock = nanoClock;
        this.sink = sink;
        this.windowStart = nanoClock.getAsLong();
        for (String webhook : AdmissionMetrics.WEBHOOKS) {
            counters.put(webhook, counter(webhook));
        }
    }

    private Counter counter(String webhook) {
        return Counter.builder(MetricNames.NAMESPACE_UNAVAILABLE)
                .description("Requests refused (workloads: allowed with an error annotation) because their namespace "
                        + "could change the decision and could not be read")
                .tag(MetricNames.WEBHOOK, webhook)
                .register(registry);
    }

    void refused(Review review, String reason) {
        Counter c = counters.get(review.webhook());
        (c != null ? c : counter(review.webhook())).increment();
        String namespace = review.namespace() == null ? "" : review.namespace();
        if (logged.size() >= MAX_LOGGED) {
            logged.clear();
        }
        if (logged.add(namespace)) {
            log(namespace, reason);
        }
    }

    private synchronized void log(String namespace, String reason) {
        long now = nanoClock.getAsLong();
        if (now - windowStart >= MINUTE_NANOS) {
            windowStart = now;
            linesInWindow = 0;
        }
        if (linesInWindow >= LINES_PER_MINUTE) {
            unlogged++;
            return;
        }
        linesInWindow++;
        String more = unlogged == 0 ? "" : " (" + unlogged + " more namespaces not logged before this one)";
        unlogged = 0;
        sink.accept("namespace " + io.podguard.engine.Text.goQuote(namespace) + " could not be read (" + io.podguard.engine.Text.oneLine(reason, "") + "): pods it could decide are refused until it can be, "
                + "workloads allowed with an error annotation (logged once per namespace, at most " + LINES_PER_MINUTE + " a minute)" + more);
    }

    /** How many namespaces are remembered as logged, for tests. */
    int loggedCount() {
        return logged.size();
    }
}
