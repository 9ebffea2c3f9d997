package io.highlander.it.appservers.runonce;

import io.highlander.cdi.LeaderElector;
import jakarta.ejb.Lock;
import jakarta.ejb.LockType;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.OptionalLong;

/**
 * A non-persistent EJB timer on every node that fires each second and hands the second to {@link Report}. The node
 * that runs the second before the one the test chose stops firing then, but keeps the lock until the test, having
 * seen another node's timer fire a later second, tells it to step down ({@link StepDownServlet}): the old leader stopped just before the
 * instant, and the new leader's timer fired it just before it won. No JTA transaction: in one, a firing that waits
 * out the misfire grace would hold the pooled connection its transaction had already used (with the default
 * REQUIRED, the standby's waiting firings took the 5-connection pool and held the new leader's start back), and the
 * instant's record commits on its own before the job runs.
 */
@Singleton
@Lock(LockType.READ) // a firing that waits out the misfire grace must not hold the others back
public class EverySecondTimer {

    @Inject
    Report report;
    @Inject
    Records records;
    @Inject
    LeaderElector elector;

    private volatile boolean stopped;

    @Schedule(hour = "*", minute = "*", second = "*", persistent = false)
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void fire() {
        // the second this firing is for: the timer fires a few milliseconds early at times
        Instant second = Instant.now().plusMillis(100).truncatedTo(ChronoUnit.SECONDS);
        if (stopped) {
            return;
        }
        OptionalLong at = records.handOverAt(); // only on the node the test chose: the leader then
        if (at.isPresent() && second.getEpochSecond() >= at.getAsLong()) {
            stopped = true; // it stops just before the chosen second, and keeps the lock
            return;
        }
        records.fired(second.getEpochSecond(), elector.isLeader(Report.NAME));
        report.run(second);
    }
}
