package io.highlander.cdi.internal.election;

import static io.highlander.cdi.internal.election.FakeTicker.ms;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(ms(50), ms(1000));

    @Test
    void doublesWithEachFailureInARowUpToTheMaximum() {
        assertThat(new long[] {backoff.failed(), backoff.failed(), backoff.failed(), backoff.failed(),
                backoff.failed(), backoff.failed(), backoff.failed()})
                .containsExactly(ms(50), ms(100), ms(200), ms(400), ms(800), ms(1000), ms(1000));
    }

    @Test
    void startsAgainFromTheMinimumAfterASuccess() {
        backoff.failed();
        backoff.failed();
        backoff.succeeded();
        assertThat(backoff.failed()).isEqualTo(ms(50));
    }
}
