package io.highlander.it.appservers;

/** The example WAR on two OpenLiberty instances. */
class OpenLibertyIT extends ClusterSingletonOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new OpenLiberty();
    }

    @Override
    String prefix() {
        return "liberty";
    }
}
