package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EvaluationsTest {

    private static final long LONG = TimeUnit.SECONDS.toNanos(30);

    private final Evaluations evaluations = new Evaluations(2);
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void close() {
        requests.shutdownNow();
        evaluations.close();
    }

    @Test
    void runWhenTaskEndsInTimeThenItsResultAndDoneOnce() throws Exception {
        AtomicInteger done = new AtomicInteger();

        String result = evaluations.run(() -> "allowed", System.nanoTime() + LONG, done::incrementAndGet);

        assertThat(result).isEqualTo("allowed");
        awaitValue(done, 1); // done runs after the answer is handed over
    }

    @Test
    void runWhenTaskThrowsAnErrorThenExecutionExceptionWithIt() throws Exception {
        AtomicInteger done = new AtomicInteger();

        assertThatThrownBy(() -> evaluations.run(() -> {
            throw new StackOverflowError();
        }, System.nanoTime() + LONG, done::incrementAndGet))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StackOverflowError.class);
        awaitValue(done, 1);
    }

    @Test
    void runWhenDeadlineAlreadyPassedThenNoSlotAndTaskNeverRuns() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();

        assertThatThrownBy(() -> evaluations.run(ran::incrementAndGet, System.nanoTime() - 1, done::incrementAndGet))
                .isInstanceOfSatisfying(Evaluations.NotInTime.class, e -> assertThat(e.outcome()).isEqualTo(Evaluations.Outcome.NO_SLOT));
        assertThat(ran).hasValue(0);
        assertThat(done).hasValue(1);
    }

    /** A running task past its deadline: the request is answered; the task keeps its thread to its end, then done runs. */
    @Test
    void runWhenTaskOutlivesItsDeadlineThenTimedOutAndDoneWhenItEnds() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch doneLatch = new CountDownLatch(1);
        AtomicInteger done = new AtomicInteger();

        assertThatThrownBy(() -> evaluations.run(() -> release.await(30, TimeUnit.SECONDS), System.nanoTime() + TimeUnit.SECONDS.toNanos(1), () -> {
            done.incrementAndGet();
            doneLatch.countDown();
        })).isInstanceOfSatisfying(Evaluations.NotInTime.class, e -> assertThat(e.outcome()).isEqualTo(Evaluations.Outcome.TIMED_OUT));
        assertThat(done).hasValue(0);

        release.countDown();

        assertThat(doneLatch.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(done).hasValue(1);
    }

    /**
     * Both threads busy: a review queued behind them whose deadline passes is answered "no slot",
     * released at once, and never run, even once the threads are free again.
     */
    @Test
    void runWhenNoThreadFreesUpBeforeTheDeadlineThenNoSlotAndNeverRun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        List<Future<Object>> busy = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            busy.add(requests.submit(() -> evaluations.run(() -> {
                started.countDown();
                return release.await(30, TimeUnit.SECONDS);
            }, System.nanoTime() + LONG, () -> { })));
        }
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();

        assertThatThrownBy(() -> evaluations.run(ran::incrementAndGet, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100), done::incrementAndGet))
                .isInstanceOfSatisfying(Evaluations.NotInTime.class, e -> assertThat(e.outcome()).isEqualTo(Evaluations.Outcome.NO_SLOT));
        assertThat(done).hasValue(1);

        release.countDown();
        for (Future<Object> f : busy) {
            assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(true);
        }
        // the threads are free: a new review runs, the abandoned one still did not
        assertThat(evaluations.run(() -> "next", System.nanoTime() + LONG, () -> { })).isEqualTo("next");
        assertThat(ran).hasValue(0);
    }

    /** At most two at once, whatever the number of requests. */
    @Test
    void runWhenManyRequestsThenAtMostSlotsAtOnce() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Future<Integer>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            all.add(requests.submit(() -> evaluations.run(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                Thread.sleep(2);
                running.decrementAndGet();
                return n;
            }, System.nanoTime() + LONG, () -> { })));
        }

        for (int i = 0; i < 50; i++) {
            assertThat(all.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(most.get()).isBetween(1, 2);
    }

    /** Queued reviews start in arrival order (one thread, so start order is the order they run in). */
    @Test
    void runWhenRequestsQueueThenTheyStartInArrivalOrder() throws Exception {
        try (Evaluations one = new Evaluations(1)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            List<Future<Integer>> all = new ArrayList<>();
            all.add(requests.submit(() -> one.run(() -> {
                started.countDown();
                release.await(30, TimeUnit.SECONDS);
                return -1;
            }, System.nanoTime() + LONG, () -> { })));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 20; i++) {
                int n = i;
                all.add(requests.submit(() -> one.run(() -> {
                    order.add(n);
                    return n;
                }, System.nanoTime() + LONG, () -> { })));
                awaitQueued(one, n + 1); // each has reached the queue before the next request comes
            }

            release.countDown();

            for (Future<Integer> f : all) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(order).containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
        }
    }

    @Test
    void slotsWhenMadeThenAsGiven() {
        assertThat(evaluations.slots()).isEqualTo(2);
    }

    private static void awaitValue(AtomicInteger value, int expected) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (value.get() != expected && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        Thread.sleep(20); // and no second time
        assertThat(value).hasValue(expected);
    }

    private static void awaitQueued(Evaluations evaluations, int n) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (evaluations.queued() < n && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        assertThat(evaluations.queued()).isEqualTo(n);
    }
}
