package io.highlander.testing.processes;

/**
 * The signals a {@link NodeProcess} can be sent. TERM and KILL go through {@link ProcessHandle} (no fork, and
 * unlike {@link Process#destroy()} they leave our ends of the process's pipes open, so what it prints while it
 * stops is still read); the JDK has no call for STOP and CONT, so those run {@code kill -s <signal> <pid>}.
 */
public enum Signal {
    /** SIGTERM: the JVM runs its shutdown hooks. */
    TERM,
    /** SIGKILL: no hook runs; it also ends a stopped process. */
    KILL,
    /** SIGSTOP: every thread stops, sockets stay open. */
    STOP,
    /** SIGCONT: a stopped process runs again. */
    CONT
}
