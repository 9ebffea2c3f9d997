package io.highlander.cdi.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.internal.lock.Notice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the node tally counts from what the node session tells it. */
class NodeTallyTest {

    private final NodeTally tally = new NodeTally();

    @Test
    void theFirstSessionIsNoReconnectAndEveryLaterOneIs() {
        tally.sessionOpened();
        assertThat(tally.reconnects()).isZero();

        tally.sessionOpened();
        tally.sessionOpened();

        assertThat(tally.reconnects()).isEqualTo(2);
    }

    @Test
    void noticesAreCountedByTheirPayloadsKind() {
        tally.noticeHeard(new Notice.Joined(1, 2));
        tally.noticeHeard(new Notice.Joined(1, 3));
        tally.noticeHeard(new Notice.Gone(1, 2));
        tally.noticeHeard(new Notice.Wake(1, 3));
        tally.noticeHeard(new Notice.Acquired(1, 5, 77));
        tally.noticeHeard(new Notice.Released(1, 5, 77, true));
        tally.noticeHeard(new Notice.Released(1, 5, 78, false));

        assertThat(NodeTally.NOTICE_KINDS).map(tally::noticesHeard).containsExactly(2L, 1L, 1L, 1L, 1L, 1L);
        // the kinds are the payload's own words, so that an operator can match them with what psql's LISTEN shows
        assertThat(new Notice.Released(1, 5, 78, false).payload()).contains(" abandoned ");
        assertThat(new Notice.Wake(1, 3).payload()).contains(" wake ");
    }

    @Test
    void aHeartbeatListenerThatThrowsCostsTheOthersNothing() {
        List<Long> told = new ArrayList<>();
        tally.onHeartbeat(nanos -> {
            throw new IllegalStateException("a broken registry");
        });
        tally.onHeartbeat(told::add);

        tally.heartbeat(1_500_000);

        assertThat(told).containsExactly(1_500_000L);
    }

    @Test
    void connectionsAreReadWhenAsked() {
        assertThat(tally.connectionsHeld()).as("before the elections are wired").isZero();
        int[] held = {1};
        tally.connections(() -> held[0]);
        held[0] = 2;

        assertThat(tally.connectionsHeld()).isEqualTo(2);
    }
}
