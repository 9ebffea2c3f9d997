package io.highlander.testing.processes;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The tests' tiny node: prints {@code ready <pid> <echo.greeting> <arguments>} on stdout and {@code err ready} on
 * stderr, then follows its stdin ({@code say <text>} prints the text, {@code exit <code>} exits). Its shutdown hook
 * prints {@code stopping 1..3}, or hangs with {@code -Decho.hangOnTerm=true}; at end of input it exits, or with
 * {@code -Decho.outliveInput=true} waits for a signal.
 */
public final class EchoMain {

    private EchoMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean hang = Boolean.getBoolean("echo.hangOnTerm");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (int i = 1; i <= 3; i++) {
                System.out.println("stopping " + i);
            }
            System.out.flush();
            if (hang) {
                sleepForever();
            }
        }));
        System.out.println("ready " + ProcessHandle.current().pid() + " " + System.getProperty("echo.greeting") + " "
                + String.join(",", args));
        System.err.println("err ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("say ")) {
                System.out.println(line.substring(4));
            } else if (line.startsWith("exit ")) {
                System.exit(Integer.parseInt(line.substring(5)));
            }
        }
        if (Boolean.getBoolean("echo.outliveInput")) {
            sleepForever();
        }
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
