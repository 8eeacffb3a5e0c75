package io.podguard.server;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where reviews are evaluated: at most {@code slots} at once, on platform threads of their own.
 * A review waits for a slot in arrival order until its deadline; once running, the request
 * thread waits for it until the deadline and then answers without it. CPU-bound work on
 * platform threads is preempted by the OS, so a slow evaluation never pins the carrier threads
 * that every other request (and the probes) run on, as it would on a virtual thread.
 *
 * <p>Java cannot stop a running evaluation: one past its deadline keeps its slot until it ends,
 * so the slots bound the CPU podguard spends however many reviews time out.
 */
final class Evaluations implements AutoCloseable {

    /** Why no answer came from the evaluation. */
    enum Outcome { NO_SLOT, TIMED_OUT }

    /** A review that got no answer in time; {@link #outcome()} says why. */
    static final class NotInTime extends Exception {
        private final Outcome outcome;

        NotInTime(Outcome outcome) {
            super(outcome.name(), null, false, false);
            this.outcome = outcome;
        }

        Outcome outcome() {
            return outcome;
        }
    }

    private final Semaphore slots;
    private final ExecutorService threads;

    /** @param slots fair: reviews get a slot in arrival order */
    Evaluations(Semaphore slots, int threads) {
        this.slots = slots;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threads,
                r -> Thread.ofPlatform().daemon().name("podguard-review-" + n.incrementAndGet()).unstarted(r));
    }

    /**
     * Runs {@code task} in a slot and returns its result, or throws {@link NotInTime} when no
     * slot freed up or the task did not finish before {@code deadlineNanos}. {@code done} runs
     * when the task ends (or at once if it never started).
     *
     * @throws ExecutionException with whatever the task threw, {@link Error}s included
     */
    <T> T run(Callable<T> task, long deadlineNanos, Runnable done) throws NotInTime, ExecutionException, InterruptedException {
        long wait = deadlineNanos - System.nanoTime();
        if (wait <= 0 || !slots.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
            done.run();
            throw new NotInTime(Outcome.NO_SLOT);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            threads.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                } finally {
                    slots.release();
                    done.run();
                }
            });
        } catch (RuntimeException rejected) { // shutting down
            slots.release();
            done.run();
            throw rejected;
        }
        try {
            return result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new NotInTime(Outcome.TIMED_OUT);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
