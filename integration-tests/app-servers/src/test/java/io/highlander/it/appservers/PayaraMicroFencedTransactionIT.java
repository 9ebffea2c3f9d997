package io.highlander.it.appservers;

/** The fenced JTA transaction on two Payara Micro nodes (Payara's own pool). */
class PayaraMicroFencedTransactionIT extends FencedTransactionOnServerIT {

    @Override
    AppServer createServer() throws java.io.IOException {
        return new PayaraMicro();
    }

    @Override
    String prefix() {
        return "payara";
    }
}
