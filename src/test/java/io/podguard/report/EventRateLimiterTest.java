package io.podguard.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventRateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final EventRateLimiter limiter = new EventRateLimiter(Duration.ofMinutes(1), 3, now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void tryAcquireWhenSameKeyWithinAMinuteThenRefusedAndAfterItAllowed() {
        assertThat(limiter.tryAcquire(List.of("team-a|privileged"))).isTrue();
        advance(Duration.ofSeconds(59));
        assertThat(limiter.tryAcquire(List.of("team-a|privileged"))).isFalse();
        advance(Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire(List.of("team-a|privileged"))).isTrue();
    }

    @Test
    void tryAcquireWhenOneOfTheKeysIsFreshThenAllowedAndAllKeysRestart() {
        assertThat(limiter.tryAcquire(List.of("team-a|privileged"))).isTrue();
        assertThat(limiter.tryAcquire(List.of("team-a|privileged", "team-a|hostNamespaces"))).isTrue();
        assertThat(limiter.tryAcquire(List.of("team-a|hostNamespaces"))).isFalse();
        assertThat(limiter.tryAcquire(List.of("team-b|privileged"))).isTrue();
    }

    @Test
    void tryAcquireWhenTheGlobalBudgetIsSpentThenRefusedUntilItRefills() {
        assertThat(limiter.tryAcquire(List.of("a|x"))).isTrue();
        assertThat(limiter.tryAcquire(List.of("b|x"))).isTrue();
        assertThat(limiter.tryAcquire(List.of("c|x"))).isTrue();
        assertThat(limiter.tryAcquire(List.of("d|x"))).isFalse();
        // A refused request does not stamp its key: it may go once the budget allows.
        advance(Duration.ofSeconds(20));
        assertThat(limiter.tryAcquire(List.of("d|x"))).isTrue();
        assertThat(limiter.tryAcquire(List.of("e|x"))).isFalse();
    }
}
