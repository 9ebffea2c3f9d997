package com.example;

import jakarta.enterprise.inject.se.SeContainerInitializer;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class App {

    public static void main(String[] args) throws InterruptedException {
        // one line per log record, with milliseconds (the JDK's default: two lines, whole seconds)
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$s %5$s%6$s%n");
        }
        try {
            // finds the beans of this application (META-INF/beans.xml) and Highlander (a service entry in its jar)
            SeContainerInitializer.newInstance().initialize();
        } catch (RuntimeException e) {
            System.err.println("cannot start: " + misconfigurations(e));   // e.g. "HL-0301: no DataSource ..."
            System.exit(1);
        }
        Thread.currentThread().join();   // runs until Ctrl-C or SIGTERM: Weld's shutdown hook hands the lock over
    }

    /** The catalogued problems ("HL-xxxx: ..."), one line each, instead of a 30-line stack trace. */
    static String misconfigurations(Throwable error) {
        Set<String> problems = new LinkedHashSet<>();
        for (Throwable t = error; t != null; t = t.getCause()) {
            Matcher problem = Pattern.compile("HL-\\d{4}: .*").matcher(String.valueOf(t.getMessage()));
            while (problem.find()) {
                problems.add(problem.group());
            }
        }
        return problems.isEmpty() ? error.toString() : String.join(System.lineSeparator(), problems);
    }
}
