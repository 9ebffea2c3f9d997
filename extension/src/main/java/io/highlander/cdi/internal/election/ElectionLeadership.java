package io.highlander.cdi.internal.election;

import io.highlander.cdi.Leadership;
import io.highlander.cdi.NotLeaderException;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.fence.FenceEntry;
import io.highlander.cdi.internal.fence.TermWork;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * {@link Leadership} read from an {@link Election}'s state, without a database round trip. A bound view belongs to
 * one term (the one a singleton's instance was created in): it never answers for a later term, even on this node,
 * so that work begun in one term cannot pass for the next one's. An unbound view follows the election. Public only
 * for the {@code @LeaderOnly} interceptor ({@link #admitLeaderOnly()}).
 */
public final class ElectionLeadership implements Leadership {

    private final Election election;
    private final Term term;
    private final boolean bound;

    /**
     * @param election the election
     * @param term     the term a bound view belongs to ({@code null} if none ran when it was made)
     * @param bound    whether the view stays with {@code term}
     */
    ElectionLeadership(Election election, Term term, boolean bound) {
        this.election = election;
        this.term = term;
        this.bound = bound;
    }

    @Override
    public String singleton() {
        return election.name();
    }

    @Override
    public boolean isValid() {
        return validTerm(election.state()) != null;
    }

    @Override
    public long fencingToken() {
        return term().fencingToken();
    }

    @Override
    public Instant since() {
        return term().began();
    }

    @Override
    public long check() {
        Term valid = validTerm(election.state()); // one read of the state: the token is the term's that was valid
        if (valid == null) {
            throw election.refusal();
        }
        return valid.fencingToken();
    }

    @Override
    public long fence(Connection connection) throws SQLException {
        Term valid = validTerm(election.state());
        if (valid == null) {
            throw election.refusal();
        }
        if (connection.getAutoCommit()) {
            throw new IllegalStateException(Messages.fenceNeedsTransaction(election.name()));
        }
        if (!FenceEntry.enter(connection, election.key(), valid.lock().backendPid(),
                election.settings().nodeId(), election.settings().lease())) {
            throw new NotLeaderException(election.name(), null,
                    Messages.fenceRefused(election.name(), election.settings().nodeId(), valid.fencingToken()));
        }
        election.work().fenced(connection, valid.fencingToken()); // aborted if the term ends before it is closed
        if (validTerm(election.state()) != valid) { // the term ended meanwhile, and its end may not have seen it
            election.work().abort(connection, valid.fencingToken());
            throw election.refusal();
        }
        return valid.fencingToken();
    }

    /**
     * The {@code @LeaderOnly} interceptor, once {@link #admitLeaderOnly()} let a call through: registers the call
     * under the term valid now, so that the term's end interrupts it (docs/design/fencing.md §8).
     *
     * @return the registered call, to leave when it returns; {@code null} if no term is valid now (it just ended)
     */
    public TermWork.Call enterLeaderOnly() {
        Term valid = validTerm(election.state());
        if (valid == null) {
            return null;
        }
        TermWork.Call call = election.work().enter(valid.fencingToken());
        if (validTerm(election.state()) != valid) { // ended meanwhile; its end may not have seen the call
            call.leave();
            return null;
        }
        return call;
    }

    /**
     * As {@link #enterLeaderOnly()}, for a call that must not be skipped silently.
     *
     * @return the registered call, to leave when it returns
     * @throws NotLeaderException if no term is valid now
     */
    public TermWork.Call enterLeaderOnlyOrRefuse() {
        TermWork.Call call = enterLeaderOnly();
        if (call == null) {
            throw election.refusal();
        }
        return call;
    }

    /**
     * The {@code @LeaderOnly} gate, straight on the election: the interceptor keeps one view per method, so that a
     * call on the leader costs no lookup by name.
     *
     * @return whether a call may run now; if not, the skip is counted and, once per term change, logged
     */
    public boolean admitLeaderOnly() {
        return election.admitLeaderOnly();
    }

    @Override
    public String toString() {
        Term current = bound ? term : election.state().runningTerm();
        return "Leadership[" + election.name() + ", " + (current == null ? "no term" : current) + ", "
                + (isValid() ? "valid" : "not valid") + "]";
    }

    /** @return the view's term if it serves now, its lease valid, else {@code null} */
    private Term validTerm(ElectionState now) {
        Term current = bound ? term : now.term();
        return current != null && now.term() == current && now.phase() == ElectionState.Phase.LEADING
                && current.lease().isValid() ? current : null;
    }

    /** The bound term, or the running one; refuses where there is none. */
    private Term term() {
        Term current = bound ? term : election.state().runningTerm();
        if (current == null) {
            throw election.refusal();
        }
        return current;
    }
}
