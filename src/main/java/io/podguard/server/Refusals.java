package io.podguard.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request the webhook server does not answer with a review, counted in
 * {@code podguard_admission_rejected_total{reason}} and logged: under {@code failurePolicy:
 * Ignore} a refused review is an unjudged pod, so a refusal is never silent. The log says the
 * first refusal of each reason at once, then at most one line per reason every
 * {@value #LOG_EVERY_SECONDS} s with the count in between, so a flood cannot flood the log.
 */
final class Refusals {

    static final String METRIC = io.podguard.report.MetricNames.ADMISSION_REJECTED;
    private static final Logger LOG = LoggerFactory.getLogger(Refusals.class);
    private static final long LOG_EVERY_SECONDS = 10;

    /** Why a request got no review; the {@code reason} label. */
    enum Reason {
        /** 413: the body is larger than any review the apiserver sends. */
        TOO_LARGE("too_large"),
        /** 413: the review needs more memory than the whole budget. */
        TOO_LARGE_FOR_MEMORY("too_large_for_memory"),
        /** 411: no Content-Length. */
        LENGTH_REQUIRED("length_required"),
        /** 415 */
        UNSUPPORTED_MEDIA_TYPE("unsupported_media_type"),
        /** 405 */
        METHOD_NOT_ALLOWED("method_not_allowed"),
        /** 404: a path under {@code /namespaces/} with no handler. */
        NOT_FOUND("not_found"),
        /** 403: mutual TLS on, and the client certificate names no allowed client. */
        CLIENT_NOT_ALLOWED("client_not_allowed"),
        /** 400: not a review podguard can answer, or a body that ended early. */
        MALFORMED("malformed"),
        /** 503: no room in the memory budget before the deadline. */
        MEMORY_BUDGET("memory_budget"),
        /** 503: no evaluation slot before the deadline. */
        OVERLOADED("overloaded"),
        /** 503: the evaluation did not finish before the deadline. */
        DEADLINE("deadline"),
        /** 500: podguard failed; a bug. */
        INTERNAL_ERROR("internal_error"),
        /** The connection was closed: its handshake or request head took longer than the head deadline. */
        HEAD_TIMEOUT("head_timeout"),
        /** The connection was closed: its body took longer than the body deadline. */
        BODY_TIMEOUT("body_timeout");

        final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    /** One reason's counter, and its log's state: refusals not logged since, and when it last logged. */
    private record PerReason(Counter counter, AtomicLong suppressed, AtomicLong lastLogged) {
    }

    /** Filled once, read only after: an {@link EnumMap} needs no locking for that. */
    private final Map<Reason, PerReason> reasons = new EnumMap<>(Reason.class);

    Refusals(MeterRegistry registry) {
        for (Reason reason : Reason.values()) {
            Counter counter = Counter.builder(METRIC).description("Requests the webhook server refused or dropped, by reason")
                    .tag("reason", reason.label).register(registry);
            reasons.put(reason, new PerReason(counter, new AtomicLong(), new AtomicLong(Long.MIN_VALUE)));
        }
    }

    /** Counts and (rate-limited) logs one refusal; {@code detail} is one line, already bounded. */
    void refused(Reason reason, int status, String path, String detail) {
        PerReason per = reasons.get(reason);
        per.counter().increment();
        long now = System.nanoTime();
        AtomicLong last = per.lastLogged();
        long previous = last.get();
        if (previous != Long.MIN_VALUE && now - previous < TimeUnit.SECONDS.toNanos(LOG_EVERY_SECONDS) || !last.compareAndSet(previous, now)) {
            per.suppressed().incrementAndGet();
            return;
        }
        long more = per.suppressed().getAndSet(0);
        String status0 = status > 0 ? status + " " : "";
        LOG.warn("refused a request on {}: {}{} ({}){}", path, status0, detail, reason.label,
                more > 0 ? "; " + more + " more refused for this reason in the last " + LOG_EVERY_SECONDS + " s" : "");
    }
}
