package io.highlander.example.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Everything the nodes reported, in the order it arrived: printed as it comes, kept for the summary, and
 * waited on by the story ("the next leader's start after this mark").
 */
final class Timeline {

    private final Terminal terminal;
    private final List<NodeEvent> events = new ArrayList<>();
    private final Set<Long> tickingTokens = new HashSet<>();
    private final Set<Long> refusingTokens = new HashSet<>();
    private boolean quiet;

    Timeline(Terminal terminal) {
        this.terminal = terminal;
    }

    /** Stop printing: the demo is shutting down and what nodes say now is noise. */
    synchronized void quiet() {
        quiet = true;
    }

    synchronized void add(NodeEvent event) {
        events.add(event);
        if (!quiet) {
            print(event);
        }
        notifyAll();
    }

    /** @return a mark: {@link #await} looks only at events from here on */
    synchronized int mark() {
        return events.size();
    }

    /** @return the first event at or after {@code mark} that matches, waiting for it up to {@code timeout} */
    synchronized Optional<NodeEvent> await(int mark, Predicate<NodeEvent> wanted, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = mark;
        while (true) {
            for (; next < events.size(); next++) {
                if (wanted.test(events.get(next))) {
                    return Optional.of(events.get(next));
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized List<NodeEvent> events() {
        return List.copyOf(events);
    }

    private void print(NodeEvent event) {
        String text = switch (event.kind()) {
            case READY -> "up (pid " + event.detail() + ")";
            case START -> Terminal.good("leads now") + ", fencing token " + event.token();
            case TICK -> tickingTokens.add(event.token()) ? "ticks (token " + event.token() + ")" : null;
            case REFUSED -> refusingTokens.add(event.token())
                    ? Terminal.warn("woke up, checked its lease: run out, so it did not tick")
                    : null;
            case STOP -> "stopped its ticker (@PreDestroy, token " + event.token() + ")";
            case LOST -> "lost leadership: " + (event.detail().equals("SHUTDOWN")
                    ? event.detail() : Terminal.warn(event.detail()));
            case WARNING -> Terminal.faint("log: " + event.detail());
            case EXIT -> Terminal.faint("process ended (" + event.detail() + ")");
            case ACQUIRED -> null; // same moment as START, from the LeadershipAcquired observer
        };
        if (text != null) {
            terminal.event(event.micros(), event.node(), text);
        }
    }
}
