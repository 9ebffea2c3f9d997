package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeaseTest {

    private final AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 5_000_000_000L); // overflows during the test
    private final Lease lease = new Lease(Duration.ofSeconds(10), Duration.ofSeconds(1), clock::get);

    @Test
    void isNotValidBeforeItBegins() {
        assertThat(lease.isValid()).isFalse();
        assertThat(lease.remainingNanos()).isZero();
    }

    @Test
    void expiresAtLeaseMinusMarginAfterTheSendTimeOfTheAcquiringStatement() {
        long sentAt = clock.get();
        advance(Duration.ofMillis(300)); // the round trip
        lease.begin(sentAt);

        advance(Duration.ofMillis(8_699));
        assertThat(lease.isValid()).isTrue();
        assertThat(lease.remainingNanos()).isEqualTo(Duration.ofMillis(1).toNanos());

        advance(Duration.ofMillis(1));
        assertThat(lease.isValid()).isFalse();
    }

    @Test
    void renewalCountsFromWhenTheHeartbeatWasSentNotWhenItWasAcknowledged() {
        lease.begin(clock.get());
        advance(Duration.ofSeconds(2));
        long sentAt = clock.get();
        advance(Duration.ofSeconds(3)); // a slow heartbeat
        lease.renew(sentAt);

        assertThat(lease.remainingNanos()).isEqualTo(Duration.ofSeconds(6).toNanos()); // 2 + 9 - 5
    }

    @Test
    void anOlderHeartbeatNeverMovesTheDeadlineBack() {
        long early = clock.get();
        advance(Duration.ofSeconds(1));
        lease.begin(clock.get());
        lease.renew(early);

        assertThat(lease.remainingNanos()).isEqualTo(Duration.ofSeconds(9).toNanos());
    }

    @Test
    void anExpiredLeaseIsNotRevived() {
        lease.begin(clock.get());
        advance(Duration.ofSeconds(10));
        long sentAt = clock.get();
        lease.renew(sentAt);

        assertThat(lease.isValid()).isFalse();
    }

    @Test
    void anEndedLeaseIsInvalidAtOnce() {
        lease.begin(clock.get());
        lease.end();

        assertThat(lease.isValid()).isFalse();
        assertThat(lease.remainingNanos()).isZero();
    }

    private void advance(Duration duration) {
        clock.addAndGet(duration.toNanos());
    }
}
