package io.highlander.it.appservers;

/** The example WAR's EJB timer with {@code @LeaderOnly} on two OpenLiberty instances. */
class OpenLibertyTimerIT extends LeaderOnlyTimerOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new OpenLiberty();
    }

    @Override
    String prefix() {
        return "liberty";
    }
}
