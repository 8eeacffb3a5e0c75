package io.podguard.report;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Decides whether an Event may be written: at most one per key (namespace and check) per
 * {@code perKey} window, and at most {@code globalBurst} in a row across all keys, refilled at
 * {@code globalBurst} per minute. A pod failing in a crash loop, or a Deployment scaled to 500
 * replicas, yields one Event, not 500; a cluster-wide storm stays under the global cap. The
 * clock is a nanosecond supplier so tests step it by hand.
 */
public final class EventRateLimiter {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();
    /** Past this many keys, expired ones are swept so the map cannot grow without bound. */
    private static final int SWEEP_ABOVE = 10_000;

    private final long perKeyNanos;
    private final int globalBurst;
    private final LongSupplier clock;
    private final Map<String, Long> lastSent = new ConcurrentHashMap<>();
    private double tokens;
    private long refilledAt;

    public EventRateLimiter(Duration perKey, int globalBurst, LongSupplier clock) {
        if (globalBurst < 1) {
            throw new IllegalArgumentException("globalBurst must be at least 1");
        }
        this.perKeyNanos = perKey.toNanos();
        this.globalBurst = globalBurst;
        this.clock = clock;
        this.tokens = globalBurst;
        this.refilledAt = clock.getAsLong();
    }

    /**
     * True when at least one of {@code keys} is outside its window and the global budget has
     * room; then every key's window restarts now.
     */
    public synchronized boolean tryAcquire(Collection<String> keys) {
        long now = clock.getAsLong();
        boolean fresh = false;
        for (String key : keys) {
            Long last = lastSent.get(key);
            if (last == null || now - last >= perKeyNanos) {
                fresh = true;
                break;
            }
        }
        if (!fresh) {
            return false;
        }
        refill(now);
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        for (String key : keys) {
            lastSent.put(key, now);
        }
        if (lastSent.size() > SWEEP_ABOVE) {
            lastSent.values().removeIf(last -> now - last >= perKeyNanos);
        }
        return true;
    }

    /**
     * The window {@code at} falls in: the wall-clock time divided by the per-key interval, the
     * same on every replica whose clock agrees. Events are named after it, so that replicas do
     * not write one each.
     */
    public long window(java.time.Instant at) {
        long millis = Math.max(1, perKeyNanos / 1_000_000);
        return Math.floorDiv(at.toEpochMilli(), millis);
    }

    private void refill(long now) {
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(globalBurst, tokens + (double) elapsed * globalBurst / MINUTE);
            refilledAt = now;
        }
    }
}
