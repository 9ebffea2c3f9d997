package io.highlander.example.demo;

import io.highlander.example.TickerApp;
import java.io.IOException;

/**
 * One node of the demo: the example application, plus a guard that ends the node when the demo that
 * started it is gone (its end of our stdin closes), so that no node outlives the demo even if the demo
 * itself is killed with SIGKILL.
 */
public final class NodeMain {

    private NodeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Thread guard = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the demo never writes; we only wait for end of stream
                }
            } catch (IOException e) {
                // the pipe broke: the demo is gone as well
            }
            System.exit(0); // a normal exit: Weld's shutdown hook releases the lock
        }, "demo-guard");
        guard.setDaemon(true);
        guard.start();
        TickerApp.main(args);
    }
}
