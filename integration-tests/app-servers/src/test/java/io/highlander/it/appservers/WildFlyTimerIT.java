package io.highlander.it.appservers;

/** The example WAR's EJB timer with {@code @LeaderOnly} on two WildFly instances. */
class WildFlyTimerIT extends LeaderOnlyTimerOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new WildFly();
    }

    @Override
    String prefix() {
        return "wildfly";
    }
}
