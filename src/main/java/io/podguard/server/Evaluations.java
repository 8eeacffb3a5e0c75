package io.podguard.server;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where reviews are evaluated: at most {@code slots} at once, on platform threads of their own,
 * the others waiting in arrival order. A review waits for a thread until its deadline; once
 * running, the request thread waits for it until the deadline and then answers without it.
 * CPU-bound work on platform threads is preempted by the OS, so a slow evaluation never pins the
 * carrier threads that every other request (and the probes) run on, as it would on a virtual
 * thread.
 *
 * <p>Deadlines are kept by one watcher thread that looks at the reviews in flight every
 * {@link #TICK}, not by a timed wait per request: a virtual thread's timed wait puts a timer
 * into the JDK's scheduler and takes it out again, and under load that alone cost 13 % of
 * podguard's CPU (a profile of {@code /validate} at 25 connections: the virtual threads'
 * {@code DelayScheduler} and its wake-ups). Written by hand because no executor in the JDK or a
 * library podguard uses bounds a queued task's wait by a deadline without such a timer.
 *
 * <p>Java cannot stop a running evaluation: one past its deadline keeps its thread until it
 * ends, so the threads bound the CPU podguard spends however many reviews time out.
 */
final class Evaluations implements AutoCloseable {

    /** How often the watcher looks for reviews past their deadline: a deadline holds to within this. */
    static final Duration TICK = Duration.ofMillis(10);

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

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int ABANDONED = 2;

    private final int slots;
    private final ThreadPoolExecutor threads;
    private final Set<Pending<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final Thread watcher;
    private volatile boolean closed;

    /** @param slots how many reviews are evaluated at once (threads); the rest wait in arrival order */
    Evaluations(int slots) {
        this.slots = slots;
        AtomicInteger n = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(slots, slots, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().daemon().name("podguard-review-" + n.incrementAndGet()).unstarted(r));
        this.watcher = Thread.ofPlatform().daemon().name("podguard-review-deadlines").unstarted(this::watch);
        this.watcher.start();
    }

    /** How many reviews are evaluated at once. */
    int slots() {
        return slots;
    }

    /** How many reviews wait for a thread now. */
    int queued() {
        return threads.getQueue().size();
    }

    /**
     * Runs {@code task} on an evaluation thread and returns its result, or throws {@link NotInTime}
     * when no thread freed up or the task did not finish before {@code deadlineNanos}. {@code done}
     * runs once: when the task ends, or when its deadline passes before it started.
     *
     * @throws ExecutionException with whatever the task threw, {@link Error}s included
     */
    <T> T run(Callable<T> task, long deadlineNanos, Runnable done) throws NotInTime, ExecutionException, InterruptedException {
        if (deadlineNanos - System.nanoTime() <= 0) {
            done.run();
            throw new NotInTime(Outcome.NO_SLOT);
        }
        Pending<T> pending = new Pending<>(task, deadlineNanos, done);
        inFlight.add(pending);
        try {
            threads.execute(pending);
        } catch (RejectedExecutionException rejected) { // shutting down
            inFlight.remove(pending);
            done.run();
            throw rejected;
        }
        try {
            // Untimed: the watcher completes it at the deadline.
            return pending.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NotInTime late) {
                throw new NotInTime(late.outcome());
            }
            throw e;
        } catch (InterruptedException e) {
            pending.abandon(Outcome.NO_SLOT); // still queued: it never runs
            throw e;
        }
    }

    private void watch() {
        while (!closed) {
            try {
                TimeUnit.NANOSECONDS.sleep(TICK.toNanos());
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Pending<?> pending : inFlight) {
                if (now - pending.deadline >= 0) {
                    pending.expire();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
        threads.shutdownNow();
    }

    /** One review: queued, then running (to its end), or abandoned in the queue at its deadline. */
    private final class Pending<T> extends CompletableFuture<T> implements Runnable {

        private final Callable<T> task;
        private final long deadline;
        private final Runnable done;
        private final AtomicInteger state = new AtomicInteger(QUEUED);

        Pending(Callable<T> task, long deadline, Runnable done) {
            this.task = task;
            this.deadline = deadline;
            this.done = done;
        }

        @Override
        public void run() {
            if (!state.compareAndSet(QUEUED, RUNNING)) {
                return; // abandoned while it waited: answered and released already
            }
            try {
                complete(task.call());
            } catch (Throwable t) {
                completeExceptionally(t);
            } finally {
                inFlight.remove(this);
                done.run();
            }
        }

        /** The deadline passed: no slot in time if it never started, else too late; a running task goes on. */
        void expire() {
            if (!abandon(Outcome.NO_SLOT)) {
                inFlight.remove(this);
                completeExceptionally(new NotInTime(Outcome.TIMED_OUT));
            }
        }

        /** @return whether it was still queued: then it never runs, and {@code done} has run */
        boolean abandon(Outcome outcome) {
            if (!state.compareAndSet(QUEUED, ABANDONED)) {
                return false;
            }
            inFlight.remove(this);
            threads.remove(this); // let go of the review it holds now, not when a thread would reach it
            done.run();
            completeExceptionally(new NotInTime(outcome));
            return true;
        }
    }
}
