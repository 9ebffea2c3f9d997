package io.highlander.testing.processes;

import java.time.Instant;

/**
 * One line a {@link NodeProcess} printed.
 *
 * @param arrived when this JVM read it (the process printed it a little earlier: a line that must be timed
 *                exactly should carry its own timestamp)
 * @param text    the line, without its line terminator
 */
public record OutputLine(Instant arrived, String text) {

    @Override
    public String toString() {
        return arrived + " " + text;
    }
}
