package io.highlander.it.appservers;

/** The fenced JTA transaction on two WildFly nodes (IronJacamar's pool). */
class WildFlyFencedTransactionIT extends FencedTransactionOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new WildFly();
    }

    @Override
    String prefix() {
        return "wildfly";
    }
}
