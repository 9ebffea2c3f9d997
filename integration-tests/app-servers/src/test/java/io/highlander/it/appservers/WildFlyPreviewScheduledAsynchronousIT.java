package io.highlander.it.appservers;

/** The Concurrency 3.1 scheduled asynchronous method with {@code @LeaderOnly} on two WildFly Preview (EE 11) nodes. */
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
