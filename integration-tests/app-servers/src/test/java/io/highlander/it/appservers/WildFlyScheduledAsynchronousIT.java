package io.highlander.it.appservers;

/** The Concurrency 3.1 scheduled asynchronous method with {@code @LeaderOnly} on two instances of WildFly (Jakarta EE 10: skipped). */
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
