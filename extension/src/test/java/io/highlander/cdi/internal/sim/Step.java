package io.highlander.cdi.internal.sim;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One function call of a simulated statement; a statement is a list of steps run in order, each adding one value
 * to the statement's result. This is the vocabulary the adapter translates the real statements into (their SQL
 * text is in {@code lock/Sql}; what matters here is which lock calls, notices and reads a statement makes, in
 * which order, and that they share one transaction).
 */
public sealed interface Step {

    /** {@code pg_try_advisory_lock[_shared]} (or the {@code _xact_} form): value Boolean. */
    record TryLock(AdvisoryKey key, LockMode mode, LockTable.Level level) implements Step { }

    /** {@code pg_advisory_lock[_shared]}: waits in the queue, bounded by {@code lock_timeout}; value true. */
    record Lock(AdvisoryKey key, LockMode mode, LockTable.Level level) implements Step { }

    /** {@code pg_advisory_unlock[_shared]}: value Boolean (false: not held, a WARNING). Not undone by a rollback. */
    record Unlock(AdvisoryKey key, LockMode mode) implements Step { }

    /** {@code pg_advisory_unlock_all()}: every session-level hold; value null. */
    record UnlockAll() implements Step { }

    /** {@code pg_notify(channel, payload)}: queued until the transaction commits; gone if it rolls back. */
    record Notify(String channel, String payload) implements Step { }

    /** {@code LISTEN channel}: takes effect at commit. */
    record Listen(String channel) implements Step { }

    /** {@code UNLISTEN *}. */
    record UnlistenAll() implements Step { }

    /** {@code pg_current_xact_id()}: the transaction's id, assigned at first use; value Long. */
    record CurrentXactId() implements Step { }

    /** {@code pg_backend_pid()}: value Integer. */
    record BackendPid() implements Step { }

    /** {@code set_config(name, value, false)} for one of the timeouts the protocol sets; value null. */
    record Set(Setting setting, long nanos) implements Step { }

    /** {@code set_config('application_name', name, false)}; value null. */
    record SetApplicationName(String name) implements Step { }

    /** {@code pg_terminate_backend(pid)}: value Boolean. */
    record Terminate(int pid) implements Step { }

    /** A read of {@code pg_locks} / {@code pg_stat_activity}: value whatever the function returns. */
    record Read(Function<SimPostgres.Catalog, Object> query) implements Step { }

    /** {@code pg_sleep}, or a slow plan: the statement takes this long here; value null. */
    record Sleep(long nanos) implements Step { }

    /** {@code BEGIN}: the statements after it share one transaction until {@link Commit}. */
    record Begin() implements Step { }

    /** {@code COMMIT}. */
    record Commit() implements Step { }

    /** SQL's {@code CASE}: the step to run, chosen from the values of the steps before it and the server's views. */
    record Choose(BiFunction<List<Object>, SimPostgres.Catalog, Step> choice) implements Step { }

    /** A constant, for a {@link Choose} branch that does nothing; value the constant. */
    record Value(Object value) implements Step { }

    /** The session settings the protocol relies on. */
    enum Setting { IDLE_SESSION_TIMEOUT, IDLE_IN_TRANSACTION_SESSION_TIMEOUT, LOCK_TIMEOUT,
        CLIENT_CONNECTION_CHECK_INTERVAL, TCP_USER_TIMEOUT }
}
