package io.highlander.cdi.internal.schedule;

import java.lang.reflect.Method;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * Whether the calling thread runs in an active JTA transaction, asked of the server's
 * {@code TransactionSynchronizationRegistry} (by JNDI and by name: the library does not depend on JTA). A
 * connection's autocommit flag cannot tell: Payara Micro hands out pooled connections with autocommit off outside
 * any transaction too ({@code PayaraMicroRunOnceIT}), so a record taken for "enlisted" there was never committed.
 * Without JNDI (Weld SE) there is no JTA transaction.
 */
final class JtaTransaction {

    private static final String REGISTRY = "java:comp/TransactionSynchronizationRegistry";
    /** {@code jakarta.transaction.Status.STATUS_ACTIVE} and {@code STATUS_MARKED_ROLLBACK}. */
    private static final int ACTIVE = 0;
    private static final int MARKED_ROLLBACK = 1;

    private JtaTransaction() {
    }

    /** @return whether a JTA transaction is active (or marked for rollback) on this thread */
    static boolean active() {
        Object registry;
        try {
            registry = InitialContext.doLookup(REGISTRY);
        } catch (NamingException | RuntimeException e) {
            return false; // no JNDI, or no transaction manager: no JTA transaction
        }
        try {
            Method status = registry.getClass().getMethod("getTransactionStatus");
            Object answer = status.invoke(registry);
            return answer instanceof Integer code && (code == ACTIVE || code == MARKED_ROLLBACK);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
