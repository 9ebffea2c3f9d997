package io.highlander.cdi.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records what Highlander logs (System.Logger lands in java.util.logging in Java SE). */
public final class LogRecorder extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new ArrayList<>();

    private LogRecorder(Logger logger) {
        this.logger = logger;
    }

    /**
     * @param loggerName the logger (and its children) to listen to
     * @return a recorder, listening until closed
     */
    public static LogRecorder of(String loggerName) {
        Logger logger = Logger.getLogger(loggerName);
        LogRecorder recorder = new LogRecorder(logger);
        recorder.setLevel(Level.ALL);
        logger.addHandler(recorder);
        return recorder;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    /** @return every message so far */
    public synchronized List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    /** @return every record so far */
    public synchronized List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
