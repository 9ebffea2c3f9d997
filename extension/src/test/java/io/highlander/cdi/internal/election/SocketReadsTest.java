package io.highlander.cdi.internal.election;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SocketReadsTest {

    private final FakeTicker ticker = new FakeTicker();
    private final SocketReads reads = new SocketReads(ticker);

    @Test
    void whileAGracefulStopRunsTheLoopReadsInSlicesThatNeedNoWakeToEnd() {
        long slice = SocketReads.slice(true, true);

        assertThat(slice).isEqualTo(SocketReads.STOP_READ_NANOS);
        assertThat(SocketReads.needsNotice(slice)).as("@PreDestroy's return is seen within one read").isFalse();
    }

    @Test
    void otherwiseALongReadIsEndedByAWakeNoticeAndAShortOneWithoutAWatcher() {
        assertThat(SocketReads.slice(false, true)).isEqualTo(SocketReads.WAKE_BOUND_NANOS);
        assertThat(SocketReads.slice(false, false)).isEqualTo(SocketReads.SHORT_READ_NANOS);
        assertThat(SocketReads.needsNotice(SocketReads.WAKE_BOUND_NANOS)).isTrue();
        assertThat(SocketReads.needsNotice(SocketReads.SHORT_READ_NANOS)).isTrue();
    }

    @Test
    void aStopThatIsExpectedShortensTheReadsAlreadyAndOnlyShortensThem() {
        assertThat(reads.read(SocketReads.WAKE_BOUND_NANOS)).isEqualTo(SocketReads.WAKE_BOUND_NANOS);

        reads.stopExpected();

        assertThat(reads.read(SocketReads.WAKE_BOUND_NANOS)).isEqualTo(SocketReads.STOP_READ_NANOS);
        assertThat(reads.read(SocketReads.SHORT_READ_NANOS)).isEqualTo(SocketReads.STOP_READ_NANOS);
        assertThat(reads.read(SocketReads.STOP_READ_NANOS / 2)).as("never longer than the loop asked")
                .isEqualTo(SocketReads.STOP_READ_NANOS / 2);
    }

    @Test
    void anExpectedStopThatNeverCameLapses() {
        reads.stopExpected();

        ticker.advance(Duration.ofNanos(SocketReads.EXPECTED_STOP_NANOS - 1));
        assertThat(reads.read(SocketReads.WAKE_BOUND_NANOS)).isEqualTo(SocketReads.STOP_READ_NANOS);

        ticker.advance(Duration.ofNanos(1));
        assertThat(reads.read(SocketReads.WAKE_BOUND_NANOS)).as("no spinning for a stop that did not come")
                .isEqualTo(SocketReads.WAKE_BOUND_NANOS);
    }
}
