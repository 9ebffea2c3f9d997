package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SupervisorTest {

    private final FakeTicker ticker = new FakeTicker();
    private final Supervisor supervisor = new Supervisor(3, Duration.ofMinutes(1), Duration.ofMillis(100), ticker);

    @Test
    void restartsAfterABackoffThatDoublesWithEachFailureInTheWindow() {
        assertThat(supervisor.failed()).isEqualTo(new Supervisor.Verdict(false, 1, Duration.ofMillis(100)));
        ticker.advance(Duration.ofSeconds(1));
        assertThat(supervisor.failed()).isEqualTo(new Supervisor.Verdict(false, 2, Duration.ofMillis(200)));
    }

    @Test
    void stepsDownAtTheMaximumWithinTheWindowAndStartsAFreshWindowAfterwards() {
        supervisor.failed();
        supervisor.failed();
        assertThat(supervisor.failed().stepDown()).isTrue();
        assertThat(supervisor.failed()).as("a fresh window").isEqualTo(
                new Supervisor.Verdict(false, 1, Duration.ofMillis(100)));
    }

    @Test
    void failuresOlderThanTheWindowDoNotCount() {
        supervisor.failed();
        supervisor.failed();
        ticker.advance(Duration.ofMinutes(1));
        assertThat(supervisor.failed()).isEqualTo(new Supervisor.Verdict(false, 1, Duration.ofMillis(100)));
    }

    @Test
    void countsRestarts() {
        supervisor.restarted();
        supervisor.restarted();
        assertThat(supervisor.restarts()).isEqualTo(2);
    }
}
