package io.highlander.cdi.internal.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.RunOnce;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RunOncePlanTest {

    private static final Clock TEN_PAST = Clock.fixed(Instant.parse("2026-12-07T10:10:00Z"), ZoneOffset.UTC);

    @Test
    void theInstantComesFromAnInstantParameterWhenTheCallGivesOne() throws Exception {
        RunOncePlan plan = RunOncePlan.of(Jobs.class.getDeclaredMethod("given", String.class, Instant.class));

        assertThat(plan.instantOf(new Object[] {"x", Instant.parse("2026-12-07T09:50:00Z")}, TEN_PAST))
                .isEqualTo(new ScheduledInstant("nightly", Instant.parse("2026-12-07T09:00:00Z")));
        assertThat(plan.every()).isEqualTo(Duration.ofHours(1));
        assertThat(plan.misfireGrace()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void otherwiseFromTheClockAndTheJobIsNamedAfterTheMethod() throws Exception {
        RunOncePlan plan = RunOncePlan.of(Jobs.class.getDeclaredMethod("clocked"));

        assertThat(plan.instantOf(new Object[0], TEN_PAST)).isEqualTo(
                new ScheduledInstant(Jobs.class.getName() + ".clocked", Instant.parse("2026-12-07T10:00:00Z")));
        assertThat(plan.misfireGrace()).isZero();
    }

    @Test
    void aNullInstantParameterFallsBackToTheClock() throws Exception {
        RunOncePlan plan = RunOncePlan.of(Jobs.class.getDeclaredMethod("given", String.class, Instant.class));

        assertThat(plan.instantOf(new Object[] {"x", null}, TEN_PAST).instant())
                .isEqualTo(Instant.parse("2026-12-07T10:00:00Z"));
    }

    @Test
    void eachBrokenRuleIsOneSentence() {
        assertThat(RunOncePlan.problems("A.m()", "PT0S", "soon", false)).containsExactly(
                "HL-0481: @RunOnce on A.m() has every = \"PT0S\", which is not a positive ISO-8601 duration, e.g. PT1H;"
                        + " correct it",
                "HL-0481: @RunOnce on A.m() has misfireGrace = \"soon\", which is not an ISO-8601 duration of zero or"
                        + " more, e.g. PT30S; correct it",
                "HL-0482: @RunOnce on A.m() has no @LeaderOnly on the method or its class, so no election decides who"
                        + " records its instants; add @LeaderOnly(\"name\")");
        assertThat(RunOncePlan.problems("A.m()", "P1D", "PT0S", true)).isEmpty();
    }

    static class Jobs {
        @LeaderOnly("e")
        @RunOnce(every = "PT1H", misfireGrace = "PT30S", job = "nightly")
        void given(String other, Instant scheduled) {
        }

        @LeaderOnly("e")
        @RunOnce(every = "PT1H")
        void clocked() {
        }
    }
}
