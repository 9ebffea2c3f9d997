package io.highlander.it.appservers;

/** The Concurrency 3.1 scheduled asynchronous method with {@code @LeaderOnly} on WildFly (EE 10: skipped). */
class WildFlyScheduledAsynchronousIT extends ScheduledAsynchronousOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new WildFly();
    }

    @Override
    String prefix() {
        return "wildfly";
    }
}
