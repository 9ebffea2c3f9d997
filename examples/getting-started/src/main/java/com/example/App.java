package com.example;

import jakarta.enterprise.inject.se.SeContainer;
import jakarta.enterprise.inject.se.SeContainerInitializer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

public final class App {

    public static void main(String[] args) throws InterruptedException {
        // one line per log record, with milliseconds (the JDK's default: two lines, whole seconds)
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$s %5$s%6$s%n");
        }
        SeContainer container;
        try {
            // finds the beans of this application (META-INF/beans.xml) and Highlander (a service entry in its jar)
            container = SeContainerInitializer.newInstance().initialize();
        } catch (RuntimeException e) {
            System.err.println("cannot start: " + e.getMessage()); // one HL-xxxx line per problem
            System.exit(1);
            return;
        }
        // The scheduler fires on every node; @LeaderOnly lets only the leader's calls through. Every 10 s to see it
        // at work; a real job runs every few minutes or at set times.
        Cleanup cleanup = container.select(Cleanup.class).get();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "cleanup-scheduler");
            thread.setDaemon(true);   // the JVM stops without waiting for it
            return thread;
        });
        scheduler.scheduleAtFixedRate(() -> {
            try {
                cleanup.run();
            } catch (RuntimeException e) {   // caught: an exception would cancel every later run
                if (container.isRunning()) {   // else the application is stopping
                    System.err.println("cleanup failed: " + e);
                }
            }
        }, 10, 10, TimeUnit.SECONDS);
        Thread.currentThread().join();   // runs until Ctrl-C or SIGTERM: Weld's shutdown hook hands the locks over
    }
}
