package io.highlander.testing.processes;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Reads one output stream of a process line by line on a daemon thread of its own: records each line with the
 * instant it arrived, appends it to a copy file if there is one, hands it to the listeners, and lets callers wait
 * for a line. It reads until end of stream, which comes once the process has ended (the JDK keeps what the
 * process wrote last readable after its exit, as long as our end of the pipe is not closed, which is why signals
 * go through {@link ProcessHandle}).
 */
final class OutputReader {

    private static final System.Logger LOG = System.getLogger(OutputReader.class.getName());

    private final List<OutputLine> lines = new ArrayList<>();
    private final List<Consumer<OutputLine>> listeners;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private boolean ended;

    OutputReader(List<Consumer<OutputLine>> listeners) {
        this.listeners = listeners;
    }

    /**
     * @param stream the process's stream
     * @param copy   a file to append every line to, after {@code header}, or {@code null}
     * @param thread the reading thread's name
     */
    void start(InputStream stream, Path copy, String header, String thread) throws IOException {
        BufferedWriter writer = copy == null ? null : Files.newBufferedWriter(copy, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (writer != null) {
            writer.write(header);
            writer.newLine();
            writer.flush();
        }
        Thread reading = new Thread(() -> read(stream, writer), thread);
        reading.setDaemon(true);
        reading.start();
    }

    /** An absent stream (merged into the other one, or redirected to a file): nothing to read, ended at once. */
    void none() {
        end();
    }

    private void read(InputStream stream, BufferedWriter copy) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                OutputLine line = new OutputLine(Instant.now(), text);
                if (copy != null) {
                    copy.write(text);
                    copy.newLine();
                    if (!reader.ready()) { // flush once nothing more is waiting: one write per burst, not per line
                        copy.flush();
                    }
                }
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
                for (Consumer<OutputLine> listener : listeners) {
                    try {
                        listener.accept(line);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "a listener of " + Thread.currentThread().getName()
                                + " failed on a line; reading goes on", e);
                    }
                }
            }
        } catch (IOException e) {
            // our end was closed: nothing more to read
        } finally {
            if (copy != null) {
                try {
                    copy.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "could not complete a copy of a process's output", e);
                }
            }
            end();
        }
    }

    private void end() {
        synchronized (this) {
            ended = true;
            notifyAll();
        }
        finished.complete(null);
    }

    /** @return completes once the stream has ended and every line was recorded, copied and handed out */
    CompletableFuture<Void> finished() {
        return finished;
    }

    synchronized List<OutputLine> lines() {
        return List.copyOf(lines);
    }

    /** @return the first line that matches, waiting up to the timeout; empty at once when the stream ended without one */
    synchronized Optional<OutputLine> await(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = 0;
        while (true) {
            for (; next < lines.size(); next++) {
                if (wanted.test(lines.get(next).text())) {
                    return Optional.of(lines.get(next));
                }
            }
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
