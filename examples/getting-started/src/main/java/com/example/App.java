package com.example;

import jakarta.enterprise.inject.se.SeContainerInitializer;

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
            System.err.println("cannot start: " + e.getMessage()); // one HL-xxxx line per problem
            System.exit(1);
        }
        Thread.currentThread().join();   // runs until Ctrl-C or SIGTERM: Weld's shutdown hook hands the lock over
    }
}
