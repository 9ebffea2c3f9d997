package io.highlander.example.demo;

/**
 * One fault the story caused and what followed.
 *
 * @param fault       what was done to the leader
 * @param from        the node that led
 * @param oldToken    its fencing token
 * @param faultMicros when the signal was sent
 * @param to          the node that leads next, or {@code null} if none did in time
 * @param newToken    its fencing token, or -1
 * @param lockedMicros when the new leader acquired the lock ({@code LeadershipAcquired.at()}), or -1
 * @param startMicros when the new leader's ticker started ({@code @PostConstruct}), or -1
 * @param alone       whether the leader was the only node, so that no standby waited and the next leader is
 *                    the same node, restarted or woken
 */
record Failover(Fault fault, String from, long oldToken, long faultMicros, String to, long newToken, long lockedMicros,
                long startMicros, boolean alone) {

    /** The three ways a leader goes away in the story. */
    enum Fault {
        STOP("graceful stop (SIGTERM)", "milliseconds: the leader unlocks"),
        KILL("crash (SIGKILL)", "milliseconds: the OS closes the socket"),
        FREEZE("freeze (SIGSTOP)", "about the lease: PostgreSQL ends the idle session");

        final String label;
        private final String expected;

        Fault(String label, String expected) {
            this.label = label;
            this.expected = expected;
        }

        /** @return what the time should be, and why; with one node nobody waits, so it is the node's return */
        String expected(boolean alone) {
            if (!alone) {
                return expected;
            }
            return this == FREEZE ? "about 1.5 leases: the demo wakes the only node after that, and it competes again"
                    : "a JVM start: nobody waited, the only node is restarted";
        }
    }

    boolean happened() {
        return to != null;
    }

    /** @return from the fault to the new instance's {@code @PostConstruct} */
    long startDelay() {
        return startMicros - faultMicros;
    }

    /** @return from the fault to the new leader's lock, or -1 if not seen */
    long lockDelay() {
        return lockedMicros < 0 ? -1 : lockedMicros - faultMicros;
    }
}
