package io.podguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podguard.admission.BadReviewException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    private static final long MIB = 1024 * 1024;

    private static long soon() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    }

    /** What a body holds grows with the bytes received: one byte of an announced 3 MiB holds the first chunk, not 3 MiB. */
    @Test
    void readWhenFewBytesOfALargeAnnouncedBodyArriveThenOnlyTheFirstChunkIsHeld() throws Exception {
        MemoryBudget budget = new MemoryBudget(64 * MIB);
        try (MemoryBudget.Charge charge = budget.open()) {
            assertThatThrownBy(() -> ReviewBody.read(new ByteArrayInputStream(new byte[] {'{'}), 3 * (int) MIB, charge, soon()))
                    .isInstanceOfSatisfying(BadReviewException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.getMessage()).isEqualTo("request body ended after 1 of 3145728 bytes");
                    });
            assertThat(charge.bytes()).isEqualTo(16 * 1024);
            assertThat(budget.inUse()).isEqualTo(16 * 1024);
        }
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void readWhenBodyArrivesInPiecesThenExactlyItsBytes() throws Exception {
        byte[] body = "{\"kind\":\"AdmissionReview\"}".repeat(5000).getBytes(StandardCharsets.UTF_8);
        InputStream pieces = new SequenceInputStream(new ByteArrayInputStream(body, 0, 1000),
                new ByteArrayInputStream(body, 1000, body.length - 1000));
        MemoryBudget budget = new MemoryBudget(64 * MIB);
        try (MemoryBudget.Charge charge = budget.open()) {
            assertThat(ReviewBody.read(pieces, body.length, charge, soon())).isEqualTo(body);
            assertThat(charge.bytes()).isEqualTo((body.length + 1023) / 1024 * 1024);
        }
    }

    /** Large bodies share three quarters of the budget: filling it leaves the rest to small reviews. */
    @Test
    void addWhenLargeShareIsFullThenLargeWaitsAndIsRefusedButSmallStillFits() throws Exception {
        MemoryBudget budget = new MemoryBudget(40 * MIB);
        MemoryBudget.Charge first = budget.open();
        MemoryBudget.Charge second = budget.open();
        MemoryBudget.Charge third = budget.open();
        MemoryBudget.Charge small = budget.open();
        assertThat(first.add(16 * MIB, soon())).isTrue();
        assertThat(second.add(15 * MIB, soon())).isTrue();
        // 30 MiB large share: 15 + 14 MiB above the first MiB of each are taken
        assertThat(third.add(3 * MIB, soon())).isFalse();
        assertThat(third.add(MIB, soon())).isTrue();
        assertThat(small.add(MIB - 1, soon())).isTrue();
        assertThat(budget.inUse()).isEqualTo(33 * MIB);

        first.close();
        assertThat(third.add(3 * MIB, soon())).isTrue();
        for (MemoryBudget.Charge c : new MemoryBudget.Charge[] {second, third, small}) {
            c.close();
        }
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void addWhenMoreThanOneReviewMayEverHoldThenRefusedAtOnce() throws Exception {
        MemoryBudget budget = new MemoryBudget(40 * MIB);
        assertThat(budget.largestCharge()).isEqualTo(31 * MIB);
        try (MemoryBudget.Charge holder = budget.open(); MemoryBudget.Charge charge = budget.open()) {
            // The budget is full, so a charge that tried would have to wait for room; and this
            // thread is interrupted, so any wait would throw at once. Refused without either: it
            // never waited, whatever the machine's speed (no stopwatch).
            assertThat(holder.add(31 * MIB, soon())).isTrue();
            Thread.currentThread().interrupt();
            try {
                assertThat(charge.add(32 * MIB, System.nanoTime() + TimeUnit.SECONDS.toNanos(30))).isFalse();
                assertThat(Thread.currentThread().isInterrupted()).as("no wait consumed the interrupt").isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    /** A charge shared with an evaluation is released when the last of the two is done with it. */
    @Test
    void closeWhenSharedThenReleasedByTheLastHolder() throws Exception {
        MemoryBudget budget = new MemoryBudget(8 * MIB);
        MemoryBudget.Charge charge = budget.open();
        assertThat(charge.add(2 * MIB, soon())).isTrue();
        charge.share();
        charge.close();
        assertThat(budget.inUse()).isEqualTo(2 * MIB);
        charge.close();
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void footprintWhenEscapedOrDenseThenCountsCharactersAndValues() {
        byte[] escaped = ("{\"a\":\"" + "\\u003c".repeat(1000) + "\"}").getBytes(StandardCharsets.US_ASCII);
        byte[] dense = ("[" + "{},".repeat(999) + "{}]").getBytes(StandardCharsets.US_ASCII);
        byte[] tricky = "{\"a,b:c[\":\"x\\\"y,z\",\"é\":1}".getBytes(StandardCharsets.UTF_8);

        // 3 counted (the root, the object, the value after ':'; on the safe side): "a" and 1000 chars, the longest held twice more while parsed
        assertThat(ReviewBody.footprint(escaped)).isEqualTo(3 * ReviewBody.BYTES_PER_VALUE + 1001 + 2 * 1000);
        assertThat(ReviewBody.footprint(dense)).isEqualTo(2001 * ReviewBody.BYTES_PER_VALUE);
        // the root and {, :, ",", : outside strings; chars: "a,b:c[" 6 + "x\"y,z" 5 + "é" 1
        assertThat(ReviewBody.footprint(tricky)).isEqualTo(5 * ReviewBody.BYTES_PER_VALUE + 12 + 2 * 6);
    }
}
