package io.highlander.example.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.example.demo.NodeEvent.Kind;
import org.junit.jupiter.api.Test;

class NodeEventTest {

    @Test
    void readsATickLine() {
        assertThat(NodeEvent.parse("2026-11-25T07:00:01.123456Z a tick n=7 token=734"))
                .contains(new NodeEvent(NodeEvent.micros(java.time.Instant.parse("2026-11-25T07:00:01Z")) + 123_456, "a", Kind.TICK, 734, ""));
    }

    @Test
    void readsTheReasonOfALoss() {
        assertThat(NodeEvent.parse("2026-11-25T07:00:01.5Z b lost token=9 reason=LEASE_EXPIRED"))
                .hasValueSatisfying(event -> {
                    assertThat(event.kind()).isEqualTo(Kind.LOST);
                    assertThat(event.detail()).isEqualTo("LEASE_EXPIRED");
                    assertThat(event.micros() % 1_000_000).isEqualTo(500_000);
                });
    }

    @Test
    void ignoresOtherLines() {
        assertThat(NodeEvent.parse("Weld SE container 1234 shut down by shutdown hook")).isEmpty();
        assertThat(NodeEvent.parse("2026-11-25T07:00:01Z a dance token=1")).isEmpty();
        assertThat(NodeEvent.parse("")).isEmpty();
    }
}
