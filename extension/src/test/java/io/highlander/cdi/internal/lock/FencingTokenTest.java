package io.highlander.cdi.internal.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FencingTokenTest {

    @Test
    void aHigherTimelineGivesAHigherTokenWhateverTheTransactionIds() throws TokenOutOfRangeException {
        // a promoted replica that missed commits: its ids continue below those the old primary handed out
        long beforePromotion = FencingToken.compose(1, 1002);
        long afterPromotion = FencingToken.compose(2, 989);

        assertThat(afterPromotion).isGreaterThan(beforePromotion);
        assertThat(FencingToken.compose(2, 0)).isGreaterThan(FencingToken.compose(1, FencingToken.MAX_TRANSACTION_ID));
    }

    @Test
    void onOneTimelineTokensFollowTheTransactionIds() throws TokenOutOfRangeException {
        assertThat(FencingToken.compose(3, 1001)).isGreaterThan(FencingToken.compose(3, 1000));
    }

    @Test
    void theTimelineAndTheTransactionIdCanBeReadBack() throws TokenOutOfRangeException {
        long token = FencingToken.compose(7, 123_456_789_012L);

        assertThat(FencingToken.timeline(token)).isEqualTo(7);
        assertThat(FencingToken.transactionId(token)).isEqualTo(123_456_789_012L);
    }

    @Test
    void everyTokenIsAboveEveryBareTransactionIdOfEarlierVersions() throws TokenOutOfRangeException {
        // earlier versions handed out pg_current_xact_id() itself; an upgrade must not go back
        assertThat(FencingToken.compose(1, 0)).isGreaterThan(FencingToken.MAX_TRANSACTION_ID);
    }

    @Test
    void theLargestTokenIsPositive() throws TokenOutOfRangeException {
        assertThat(FencingToken.compose(FencingToken.MAX_TIMELINE, FencingToken.MAX_TRANSACTION_ID))
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void numbersBeyondTheirBitsAreRefusedWithTheMessage() {
        assertThatThrownBy(() -> FencingToken.compose(1, FencingToken.MAX_TRANSACTION_ID + 1))
                .isInstanceOf(TokenOutOfRangeException.class)
                .hasMessage("HL-0340: PostgreSQL is on timeline 1 at transaction id 17592186044416, beyond what a"
                        + " fencing token holds (timeline 1..524287, transaction id 0..17592186044415), so this node"
                        + " does not lead rather than hand out a token that might not be above an earlier one; see"
                        + " 'Fencing tokens' in the README for how to continue.");
        assertThatThrownBy(() -> FencingToken.compose(FencingToken.MAX_TIMELINE + 1, 5))
                .isInstanceOf(TokenOutOfRangeException.class);
        assertThatThrownBy(() -> FencingToken.compose(0, 5)).isInstanceOf(TokenOutOfRangeException.class);
    }

    @Test
    void theTimelineIsTheFirstEightHexDigitsOfTheWalFileName() {
        assertThat(FencingToken.timelineOf("0000000A000000000000003F")).isEqualTo(10);
        assertThat(FencingToken.timelineOf("000000010000000000000001")).isEqualTo(1);
        assertThatThrownBy(() -> FencingToken.timelineOf("00000001")).isInstanceOf(IllegalArgumentException.class);
    }
}
