package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.internal.lock.ClusterIdentity;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TokenGuardTest {

    private static final ClusterIdentity HOME = new ClusterIdentity("db:5432/app", OptionalLong.of(77), 1);
    private static final ClusterIdentity PROMOTED = new ClusterIdentity("db2:5432/app", OptionalLong.of(77), 2);
    private static final ClusterIdentity OTHER = new ClusterIdentity("db:5432/app", OptionalLong.of(88), 1);
    private static final ClusterIdentity UNREADABLE = new ClusterIdentity("db:5432/app", OptionalLong.empty(), 1);

    private final TokenGuard guard = new TokenGuard("a");

    @Test
    void increasingTokensOfOneClusterAreAccepted() {
        guard.connected(HOME);

        assertThat(guard.refusal(100, HOME)).isEmpty();
        assertThat(guard.refusal(101, HOME)).isEmpty();
        assertThat(guard.refusal(500, PROMOTED)).as("a new timeline of the same cluster").isEmpty();
    }

    @Test
    void aTokenNotAboveOneHandedOutIsRefusedOncePerChange() {
        guard.connected(HOME);
        guard.refusal(100, HOME);

        assertThat(guard.refusal(100, HOME)).hasValueSatisfying(refusal -> {
            assertThat(refusal.message()).isEqualTo("HL-0341: node a does not lead: PostgreSQL at db:5432/app"
                    + " (cluster 77, timeline 1) handed out fencing token 100, not above token 100 (handed out on"
                    + " db:5432/app (cluster 77, timeline 1)), so the database went back to an earlier state without"
                    + " a new timeline; it tries again each standby interval and leads once the server's tokens pass"
                    + " 100.");
            assertThat(refusal.repeated()).isFalse();
        });
        assertThat(guard.refusal(99, HOME)).hasValueSatisfying(refusal -> assertThat(refusal.repeated()).isTrue());
        assertThat(guard.refusal(101, HOME)).isEmpty();
        assertThat(guard.refusal(50, HOME)).hasValueSatisfying(refusal -> assertThat(refusal.repeated()).isFalse());
    }

    @Test
    void aTokenAnnouncedByAnotherNodeRaisesTheBar() {
        guard.connected(HOME);
        guard.heard(200);

        assertThat(guard.refusal(150, HOME)).hasValueSatisfying(refusal ->
                assertThat(refusal.message()).contains("not above token 200 (announced by another node)"));
        assertThat(guard.refusal(201, HOME)).isEmpty();
    }

    @Test
    void anotherClusterIsRefusedWhateverItsTokensEvenForANodeThatNeverLed() {
        guard.connected(HOME); // never led there: another node's tokens may still be above anything it would get

        assertThat(guard.refusal(1_000_000, OTHER)).hasValueSatisfying(refusal -> assertThat(refusal.message())
                .isEqualTo("HL-0342: node a does not lead: its session is on another PostgreSQL cluster,"
                        + " db:5432/app (cluster 88, timeline 1), than the one its fencing tokens came from,"
                        + " db:5432/app (cluster 77, timeline 1), whose tokens start again below those handed out"
                        + " (this node's highest: none). If the move is intended, set highlander.token-floor on every"
                        + " node to at least the highest token any node handed out and restart them; otherwise point"
                        + " the nodes back at the first cluster."));
        assertThat(guard.refusal(5, HOME)).as("back on the first cluster").isEmpty();
    }

    @Test
    void whereTheIdentifierCannotBeReadOnlyTheTokensAreCompared() {
        guard.connected(UNREADABLE);

        assertThat(guard.refusal(10, OTHER)).isEmpty();
        assertThat(guard.refusal(9, OTHER)).isPresent();
    }
}
