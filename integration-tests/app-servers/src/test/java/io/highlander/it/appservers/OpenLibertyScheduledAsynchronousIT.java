package io.highlander.it.appservers;

/** The Concurrency 3.1 scheduled asynchronous method with {@code @LeaderOnly} on two instances of Open Liberty. */
class OpenLibertyScheduledAsynchronousIT extends ScheduledAsynchronousOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new OpenLiberty();
    }

    @Override
    String prefix() {
        return "liberty";
    }
}
