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
 * <p>Unfair on purpose: small reviews (the common case) are not held behind a large one waiting
 * for room; a large one that cannot get room before its deadline is refused, and said so.
 */
final class MemoryBudget {

    /** Permits are KiB, so a budget of up to 2 TiB fits an int. */
    private static final int UNIT = 1024;

    private final Semaphore permits;
    private final long capacity;

    MemoryBudget(long capacityBytes) {
        if (capacityBytes < UNIT) {
            throw new IllegalArgumentException("memory budget must be at least 1 KiB");
        }
        this.capacity = capacityBytes;
        this.permits = new Semaphore((int) Math.min(Integer.MAX_VALUE, capacityBytes / UNIT), false);
    }

    long capacity() {
        return capacity;
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
            if ((long) (units + more) * UNIT > capacity) {
                return false;
            }
            long wait = deadlineNanos - System.nanoTime();
            if (!(permits.tryAcquire(more) || wait > 0 && permits.tryAcquire(more, wait, TimeUnit.NANOSECONDS))) {
                return false;
            }
            units += more;
            return true;
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
                permits.release(units);
                units = 0;
            }
        }
    }
}
