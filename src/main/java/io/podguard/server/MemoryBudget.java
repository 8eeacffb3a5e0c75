package io.podguard.server;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The heap that reviews in flight may hold at once: the bytes of bodies as they arrive, then
 * an estimate of what their evaluation builds from them (see {@link ReviewBody#footprint}). A
 * request charges before it allocates; one that would exceed the budget waits, bounded by its
 * deadline, and is answered 503 if the budget does not free up in time. So a few hundred slow
 * clients announcing 3 MiB each hold what they sent, not what they announced, and together no
 * more than the budget.
 *
 * <p>What a request holds beyond its first {@value #SMALL_BYTES} bytes also counts against a
 * share of the budget for large reviews ({@value #LARGE_SHARE_PERCENT} %): clients sending
 * bodies of tens of MiB (and stopping there) can fill that share, never the rest, so ordinary
 * reviews go on being answered. Unfair on purpose: small reviews are not queued behind a large
 * one waiting for room; a large one that gets none before its deadline is refused, and said so.
 */
final class MemoryBudget {

    /** A request holding at most this is small: it never waits for the large share. */
    static final long SMALL_BYTES = 1024 * 1024;
    static final int LARGE_SHARE_PERCENT = 75;
    /** Permits are KiB, so a budget of up to 2 TiB fits an int. */
    private static final int UNIT = 1024;
    private static final int SMALL_UNITS = (int) (SMALL_BYTES / UNIT);

    private final Semaphore permits;
    private final Semaphore large;
    private final long capacity;

    MemoryBudget(long capacityBytes) {
        if (capacityBytes < 4 * SMALL_BYTES) {
            throw new IllegalArgumentException("memory budget must be at least 4 MiB");
        }
        this.capacity = capacityBytes;
        int units = (int) Math.min(Integer.MAX_VALUE, capacityBytes / UNIT);
        this.permits = new Semaphore(units, false);
        this.large = new Semaphore((int) ((long) units * LARGE_SHARE_PERCENT / 100), false);
    }

    long capacity() {
        return capacity;
    }

    /** The most one request can ever hold: its small part and the whole large share. */
    long largestCharge() {
        return Math.min(capacity, SMALL_BYTES + capacity / UNIT * LARGE_SHARE_PERCENT / 100 * UNIT);
    }

    /** Bytes charged right now. */
    long inUse() {
        return capacity - (long) permits.availablePermits() * UNIT;
    }

    /** A new charge of nothing yet, for one request. */
    Charge open() {
        return new Charge();
    }

    /**
     * What one request holds. Released when both the request thread and the evaluation (if it
     * started) are done with it: a review answered 503 at its deadline may still be evaluating.
     */
    final class Charge implements AutoCloseable {

        private int units;
        private final AtomicInteger holders = new AtomicInteger(1);

        /**
         * Charges {@code bytes} more, waiting at most until {@code deadlineNanos}.
         *
         * @return false when the budget had no room in time, or can never have it
         */
        boolean add(long bytes, long deadlineNanos) throws InterruptedException {
            int more = (int) Math.min(Integer.MAX_VALUE, (bytes + UNIT - 1) / UNIT);
            if (more == 0) {
                return true;
            }
            if ((long) (units + more) * UNIT > largestCharge()) {
                return false;
            }
            int largeMore = Math.max(0, units + more - SMALL_UNITS) - Math.max(0, units - SMALL_UNITS);
            if (largeMore > 0 && !acquire(large, largeMore, deadlineNanos)) {
                return false;
            }
            if (!acquire(permits, more, deadlineNanos)) {
                if (largeMore > 0) {
                    large.release(largeMore);
                }
                return false;
            }
            units += more;
            return true;
        }

        private static boolean acquire(Semaphore semaphore, int n, long deadlineNanos) throws InterruptedException {
            if (semaphore.tryAcquire(n)) {
                return true;
            }
            long wait = deadlineNanos - System.nanoTime();
            return wait > 0 && semaphore.tryAcquire(n, wait, TimeUnit.NANOSECONDS);
        }

        long bytes() {
            return (long) units * UNIT;
        }

        /** One more party (the evaluation) will {@link #close()} it. */
        void share() {
            holders.incrementAndGet();
        }

        @Override
        public void close() {
            if (holders.decrementAndGet() == 0 && units > 0) {
                int largeUnits = Math.max(0, units - SMALL_UNITS);
                if (largeUnits > 0) {
                    large.release(largeUnits);
                }
                permits.release(units);
                units = 0;
            }
        }
    }
}
