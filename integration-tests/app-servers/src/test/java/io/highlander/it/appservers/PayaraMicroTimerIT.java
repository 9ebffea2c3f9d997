package io.highlander.it.appservers;

/** The example WAR's EJB timer with {@code @LeaderOnly} on two PayaraMicro instances. */
class PayaraMicroTimerIT extends LeaderOnlyTimerOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new PayaraMicro();
    }

    @Override
    String prefix() {
        return "payara";
    }
}
