package io.highlander.it.appservers;

/** The example WAR on two WildFly instances. */
class WildFlyIT extends ClusterSingletonOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new WildFly();
    }

    @Override
    String prefix() {
        return "wildfly";
    }
}
