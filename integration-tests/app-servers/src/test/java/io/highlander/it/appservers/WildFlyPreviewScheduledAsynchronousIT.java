package io.highlander.it.appservers;

/** The Concurrency 3.1 scheduled asynchronous method with {@code @LeaderOnly} on two instances of WildFly Preview (Jakarta EE 11). */
class WildFlyPreviewScheduledAsynchronousIT extends ScheduledAsynchronousOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return WildFly.preview();
    }

    @Override
    String prefix() {
        return "wildfly-preview";
    }
}
