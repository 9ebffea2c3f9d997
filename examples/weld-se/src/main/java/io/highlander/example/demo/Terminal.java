package io.highlander.example.demo;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Help.Ansi;

/**
 * The demo's output: one line per event, {@code +12.345s  node  what happened}, coloured only when stdout
 * is a terminal (picocli decides; {@code NO_COLOR} turns it off).
 */
final class Terminal {

    private static final String[] NODE_STYLES = {"cyan", "magenta", "yellow", "blue", "green", "red"};

    private final PrintStream out;
    private final Ansi ansi;
    private final long startMicros;
    private final Map<String, String> nodeStyles = new LinkedHashMap<>();

    Terminal(PrintStream out, long startMicros) {
        this.out = out;
        this.ansi = System.getenv("NO_COLOR") == null ? Ansi.AUTO : Ansi.OFF;
        this.startMicros = startMicros;
    }

    /** A line about one actor (a node, {@code postgres} or {@code demo}) at a given instant. */
    synchronized void event(long micros, String who, String text) {
        String time = String.format(Locale.ROOT, "+%7.3fs", (micros - startMicros) / 1e6);
        out.println(ansi.string("@|faint " + time + "|@  " + styledName(who) + "  " + text));
    }

    /** A heading that starts a step of the story. */
    synchronized void section(String title) {
        out.println();
        out.println(ansi.string("@|bold " + title + "|@"));
    }

    /** A plain line. */
    synchronized void say(String text) {
        out.println(ansi.string(text));
    }

    static String bold(String text) {
        return "@|bold " + text + "|@";
    }

    static String good(String text) {
        return "@|bold,green " + text + "|@";
    }

    static String warn(String text) {
        return "@|yellow " + text + "|@";
    }

    static String bad(String text) {
        return "@|bold,red " + text + "|@";
    }

    static String faint(String text) {
        return "@|faint " + text + "|@";
    }

    private String styledName(String who) {
        String padded = String.format(Locale.ROOT, "%-8s", who);
        if (who.equals("demo") || who.equals("postgres")) {
            return "@|bold " + padded + "|@";
        }
        String style = nodeStyles.computeIfAbsent(who, id -> NODE_STYLES[nodeStyles.size() % NODE_STYLES.length]);
        return "@|bold," + style + " " + padded + "|@";
    }

    /** @return a setting's duration for people: {@code 10 s}, {@code 1500 ms} */
    static String setting(java.time.Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** @return a duration in microseconds for people: {@code 4.5 ms}, {@code 18 ms}, {@code 9.87 s} */
    static String duration(long micros) {
        if (micros < 10_000) {
            return String.format(Locale.ROOT, "%.1f ms", micros / 1e3);
        }
        if (micros < 1_000_000) {
            return String.format(Locale.ROOT, "%d ms", Math.round(micros / 1e3));
        }
        return String.format(Locale.ROOT, "%.2f s", micros / 1e6);
    }
}
