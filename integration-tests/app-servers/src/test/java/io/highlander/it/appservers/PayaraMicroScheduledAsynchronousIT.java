package io.highlander.it.appservers;

/** The Concurrency 3.1 scheduled asynchronous method with {@code @LeaderOnly} on Payara Micro 6 (EE 10: skipped). */
class PayaraMicroScheduledAsynchronousIT extends ScheduledAsynchronousOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new PayaraMicro();
    }

    @Override
    String prefix() {
        return "payara";
    }
}
