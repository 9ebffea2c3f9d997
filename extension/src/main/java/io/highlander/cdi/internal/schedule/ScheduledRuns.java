package io.highlander.cdi.internal.schedule;

import io.highlander.cdi.RunOnce;
import io.highlander.cdi.internal.Messages;
import io.highlander.cdi.internal.election.ElectionLeadership;
import io.highlander.cdi.internal.election.Elections;
import jakarta.interceptor.InvocationContext;
import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The {@code @LeaderOnly} interceptor's decision for a method with {@link RunOnce}: name the firing's instant,
 * hold a firing that came while this node does not lead for up to the misfire grace, and run it only if this node
 * leads and records the instant first ({@link RunLedger}). A method without {@code @RunOnce} gets the plain
 * {@code @LeaderOnly} decision. Why it runs each instant at most once: docs/design/scheduling.md.
 */
public final class ScheduledRuns {

    private static final System.Logger LOG = System.getLogger(ScheduledRuns.class.getName());
    /** The plan of a method without {@code @RunOnce}: a map cannot hold {@code null}. */
    private static final RunOncePlan NONE = new RunOncePlan("", Duration.ZERO, Duration.ZERO, -1, null);

    private final Supplier<Elections> elections;
    private final Clock clock;
    private final Map<Method, RunOncePlan> plans = new ConcurrentHashMap<>();
    private volatile RunLedger ledger;
    private volatile String lastProblem;

    /**
     * @param elections the node's elections, asked at the first claim (the interceptor gets them injected after it
     *                  was made)
     * @param clock     the clock that names a firing's instant when the call gives none
     */
    public ScheduledRuns(Supplier<Elections> elections, Clock clock) {
        this.elections = elections;
        this.clock = clock;
    }

    /**
     * @param call          the intercepted call: its method, and its parameters when the method has a plan
     * @param election      its election, unbound (it follows the election from term to term)
     * @param skipHasResult whether a skipped call of the method has a value to give back
     * @return whether the call may run now; if not, the interceptor skips it
     * @throws IllegalStateException if the method's {@code @RunOnce} is wrong, or the table is missing
     */
    public boolean admit(InvocationContext call, ElectionLeadership election, boolean skipHasResult) {
        RunOncePlan plan = planOf(call.getMethod(), skipHasResult);
        if (plan == NONE) {
            return election.admitLeaderOnly();
        }
        ScheduledInstant instant = plan.instantOf(call.getParameters(), clock); // on arrival, before any wait
        long arrived = System.nanoTime();
        boolean waited = false;
        if (!plan.misfireGrace().isZero() && !election.isValid()) {
            waited = MisfireWait.untilLeading(election::isValid, plan.misfireGrace(), System::nanoTime);
        }
        if (!election.admitLeaderOnly()) { // counts and logs the skip as any @LeaderOnly call's
            return false;
        }
        boolean run = claim(election, instant);
        if (run && waited) {
            LOG.log(Level.INFO, Messages.missedInstantRun(election.singleton(), instant.toString(), nodeId(),
                    Duration.ofNanos(System.nanoTime() - arrived)));
        }
        return run;
    }

    private boolean claim(ElectionLeadership election, ScheduledInstant instant) {
        RunLedger records = ledger();
        try {
            RunLedger.Claim claim = records.claim(election, nodeId(), instant);
            lastProblem = null;
            switch (claim) {
                case ALREADY_RUN -> LOG.log(Level.DEBUG,
                        () -> Messages.instantAlreadyRun(election.singleton(), instant.toString(), nodeId()));
                case REFUSED -> LOG.log(Level.INFO,
                        Messages.instantClaimRefused(election.singleton(), instant.toString(), nodeId()));
                default -> { }
            }
            return claim == RunLedger.Claim.RECORDED;
        } catch (SQLException e) {
            if (RunLedger.UNDEFINED_TABLE.equals(e.getSQLState())) {
                throw new IllegalStateException(Messages.runLedgerMissing(records.database(), RunLedger.DDL));
            }
            if (RunLedger.NO_MATCHING_KEY.equals(e.getSQLState())) {
                throw new IllegalStateException(Messages.runLedgerWithoutKey(records.database(), RunLedger.DDL));
            }
            String problem = e.getSQLState() + " " + e.getMessage();
            if (!problem.equals(lastProblem)) {
                lastProblem = problem;
                LOG.log(Level.WARNING, Messages.instantNotRecorded(election.singleton(), instant.toString(), problem));
            }
            return false; // at most once: an instant that cannot be recorded does not run
        }
    }

    private RunOncePlan planOf(Method method, boolean skipHasResult) {
        RunOncePlan plan = plans.get(method); // no computeIfAbsent: its capturing lambda allocates on every call
        if (plan == null) {
            if (method.isAnnotationPresent(RunOnce.class)) {
                if (!skipHasResult) {
                    throw new IllegalStateException(Messages.runOnceNoSkipValue(RunOncePlan.where(method),
                            method.getReturnType().getName()));
                }
                plan = RunOncePlan.of(method);
            } else {
                plan = NONE;
            }
            plans.put(method, plan);
        }
        return plan;
    }

    private RunLedger ledger() {
        RunLedger records = ledger;
        if (records == null) {
            records = new RunLedger(elections.get().connections());
            ledger = records;
        }
        return records;
    }

    private String nodeId() {
        return elections.get().nodeId();
    }
}
