/**
 * Elections: one {@link io.highlander.cdi.internal.election.Election} per singleton decides; one node session per
 * node holds the locks.
 *
 * <h2>Design: the node session</h2>
 * A node uses at most two connections of its DataSource, whatever the number of singletons S:
 * <ul>
 *   <li>the <b>node session</b> ({@link io.highlander.cdi.internal.election.NodeSession}, thread
 *       {@code highlander-node-lock}) holds every advisory lock the node wins and the node's <b>liveness lock</b>
 *       (a bigint key: namespace in the high half, a random number in the low half, drawn at every (re)connect),
 *       and carries the lease: one heartbeat every h renews every term on it, because the server's
 *       {@code idle_session_timeout} clock is per session ({@link io.highlander.cdi.internal.lock.Lease}'s
 *       argument, unchanged: s is the send time of the last acknowledged statement of the node session, whatever
 *       statement it was). A lost node session ends every term it carried, as a lost lease did before.
 *       Between statements it waits in a socket read ({@code LISTEN highlander}, pgjdbc's
 *       {@code getNotifications(timeout)}), so the server ending the session is seen in milliseconds
 *       (PG-SEMANTICS §5c), not at the next heartbeat; a connection that does not unwrap to pgjdbc falls back to
 *       heartbeats alone ({@code HL-0430}, {@code SingletonStatus.heartbeatOnly}).</li>
 *   <li>the <b>watcher</b> ({@link io.highlander.cdi.internal.election.Watcher}, thread
 *       {@code highlander-node-watcher}) waits in {@code pg_advisory_lock_shared} on the liveness lock of the next
 *       node in the ring of live nodes (liveness keys in ascending order, read from {@code pg_locks}), bounded by
 *       {@code lock_timeout = highlander.watcher.wait} (1 min: one {@code ERROR} line a minute in the server log,
 *       and a snapshot, so a VACUUM horizon held back, of at most that long). A grant means the watched session is
 *       gone: in the same statement it unlocks and sends {@code NOTIFY highlander 'gone <key>'}.</li>
 * </ul>
 * Standbys never wait on a singleton's lock. A node tries every lock it wants in one statement
 * ({@code pg_try_advisory_lock} for each key, the fencing token read in the same statement after the last grant):
 * when its session opens, when it hears {@code released} (a node let a lock go cleanly: unlock and notify in one
 * statement) or {@code gone}, and otherwise every {@code highlander.standby.interval} as a safety net, which also
 * keeps an idle node session alive. A standby node thus sends one statement per interval whatever S, and a
 * leader node one heartbeat per h.
 *
 * <p><b>Waking the lock thread.</b> It is either sending a statement or reading its socket; pgjdbc holds the
 * connection's lock while it reads, and a platform thread in a socket read ignores interrupts. So no other thread
 * touches the node session: a step-down, a close, a finished {@code @PreDestroy} or the watchdog's unlock set
 * state or queue work and call {@code wake()}, which unparks the thread and, if it is reading, has the watcher send
 * {@code NOTIFY highlander 'wake <key>'} (cancelling the watcher's own wait first with {@code Statement.cancel()};
 * a cancel that reaches the server before the wait does is repeated every 20 ms until the notice went out). A
 * socket read also ends after at most 500 ms (20 ms while the watcher is not connected), so a lost wake costs
 * at most that, and no statement.
 *
 * <p><b>Token on the acquiring statement.</b> The lease of a new term starts at the send time s0 of the
 * statement that took the lock, and that statement also reads the token. This is safe: the grant happens while
 * that statement runs, so after s0; the server's idle timer restarts only when the statement completes, so after
 * s0; hence the server cannot end the session, and free the lock, before s0 + L, which is all the lease needs.
 * (A blocking wait would be no different, since the timer does not run during a statement; it is the send time
 * of an <em>earlier</em> statement that would be wrong.) The token's transaction id is assigned after every
 * grant of the statement (a {@code CASE} on the materialized grants), so after the previous holder let the lock
 * go, whose own token was committed durably before its term began: tokens still strictly increase per
 * singleton. Singletons taken in one statement share a token, which fencing allows (each singleton's consumers
 * compare its own tokens only). No round trip is added after the grant.
 *
 * <h2>Races</h2>
 * <ul>
 *   <li><b>Several nodes waking at once</b> (a {@code released} or {@code gone} notice reaches all): each tries
 *       with {@code pg_try_advisory_lock}, which the lock manager grants to exactly one session; the others see
 *       {@code false} and stay standby. Nobody waits, so nobody is left in a queue.
 *       Tested: {@code NodeSessionTest.severalNodesWakingAtOnceLeadEachSingletonOnce}.</li>
 *   <li><b>Two nodes each holding one lock and wanting the other's:</b> no deadlock, because no session ever
 *       waits while holding a lock: node sessions only try ({@code pg_try_advisory_lock} never waits), and the
 *       watcher, the only session that waits, holds no lock while it waits (a shared grant is let go in the same
 *       statement, and any grant that sticks to a cancelled wait is dropped with {@code pg_advisory_unlock_all}).
 *       A wait-for cycle needs a waiter that holds something. Tested:
 *       {@code NodeSessionTest.twoNodesEachHoldingALockTheOtherWantsNeitherWaitNorDeadlock}.</li>
 *   <li><b>A restarted node with the same id:</b> its liveness key is random per node session, not derived from
 *       the id. With a fixed key the new incarnation could not take its liveness lock while the old session still
 *       lingers (a frozen process: up to L) or while watchers hold it in shared mode for an instant, and a
 *       watcher's grant of the old incarnation's lock could be taken for the new one's; a fresh key makes the old
 *       incarnation's end an event of its own ({@code gone}) and the new one a new ring member ({@code joined}
 *       makes every watcher look for its ring successor again). Two sessions drawing the same 32 bits: the second
 *       try fails and it draws again. Tested:
 *       {@code NodeSessionTest.aRestartedNodeWithTheSameIdTakesANewLivenessLockAndIsWatchedAgain}.</li>
 *   <li><b>A notice lost while reconnecting:</b> a node session that was not listening when a lock was released
 *       tries every lock it wants as soon as it opens again, and in any case at the safety-net interval. Tested:
 *       {@code NodeSessionTest.aNoticeLostWhileReconnectingIsMadeUpByTheFirstTryAfterwards}.</li>
 *   <li><b>A node session lost while its watcher still waits:</b> the terms on it end ({@code CONNECTION_LOST});
 *       its liveness lock is gone, so the node before it in the ring is granted and tells everyone; the node's
 *       own watcher keeps waiting on its target, undisturbed; the node reconnects with a new liveness key and
 *       announces it. A watcher whose connection is lost reconnects; terms do not depend on it. Tested with the
 *       lost-notice test above (the standby's node session is terminated while its watcher waits) and by
 *       {@code NodeSessionTest.aLeaderWhoseSessionEndsIsReplacedThroughTheWatcher}.</li>
 *   <li><b>A node session lost, and its node back first:</b> the node learns of the end within milliseconds
 *       (its socket read), about as fast as the watcher of the node before it is granted its liveness lock; trying
 *       at once after reconnecting, it sometimes won its own lock back before any standby had its turn (seen on
 *       Payara, 1 ending in 15). So a node leaves each lock it held on a session that ended to the other nodes for
 *       a second (or its heartbeat or standby interval, if shorter), then tries it again like any other: alone, it
 *       leads again; after a server restart the standbys, which held none, try first. Tested:
 *       {@code NodeSessionTest.aNodeWhoseSessionEndedLeavesTheLocksItHeldToTheOthersForAMoment}.</li>
 *   <li><b>A watcher whose node hears no notices</b> (heartbeat-only): told that the node it watched is gone,
 *       before that node is back, it finds nobody to watch; it cannot hear the {@code joined} that would make it
 *       look again, so it looks again at every heartbeat, not once a watcher wait. Tested:
 *       {@code NodeSessionTest.withoutSocketWaitsAStandbyStillTakesOverAtOnceEachTimeTheLeadersSessionIsEnded}.</li>
 *   <li><b>A term ending while the next begins:</b> unchanged: a term begins only from STANDBY, reached only after
 *       the last term's lock was let go on the node session ({@code TermLock.isLetGo}) and its instance destroyed.
 *       A lock let go by another thread (the watchdog) is queued for the lock thread, which runs the queue before
 *       it tries any lock, so it never asks for a lock its session still holds.</li>
 * </ul>
 *
 * <h2>Strict takeover ({@code highlander.takeover=strict})</h2>
 * With fast takeover an acquirer starts at once; after a server-side end of the old holder's session (killed,
 * restart) the old instance may run on for the milliseconds its socket wait needs to notice. Strict takeover
 * removes that overlap: every term of a strict node begins with {@code NOTIFY 'acquired <key> <token>'}, committed
 * before its {@code @PostConstruct} (one more round trip, strict nodes only), and every clean release sends
 * {@code 'released <key> <token>'} in the unlocking statement, only after {@code @PreDestroy} returned. A node
 * starts at once only if, on its <em>current</em> node session (one continuous {@code LISTEN}; the record is
 * cleared at every connect), the last notice it heard for the key is a {@code released} whose {@code acquired}
 * it heard too; otherwise it waits L + m from the grant ({@code HL-0431}), which is after the previous holder's
 * lease ran out (its s lies before its session ended, which lies before our grant).
 * <p>Why that is enough: notices are delivered to a listener in commit order and none is lost while its session
 * lives. If the last term T before our grant began with {@code acquired T} and ended with {@code released T}, its
 * instance had stopped before the release. A later term T' would have had to commit {@code acquired T'} before
 * starting, so before our grant; the server sends it to our session no later than just before it reads our next
 * command, so pgjdbc has queued it by the time the grab returns, and the lock thread reads that queue before it
 * judges (the one gap: T' beginning and dying entirely within the grab statement's own execution). A term we did
 * not see begin (we were not listening yet; a fast-mode holder that announces nothing), a release we did not
 * see, or a session of ours that reconnected, all count as unclean: the rule errs towards waiting. A paused JVM
 * is still not covered: the fencing token is the answer there. Tested:
 * {@code NodeSessionTest.strictTakeoverStartsAtOnceOnlyAfterATermItSawBeginAndEndCleanly} and
 * {@code NodeSessionTest.strictTakeoverWaitsOutThePreviousLeaseAfterAKilledSession}.
 *
 * <h2>Balanced placement ({@code highlander.placement=balanced})</h2>
 * Under first come (the default) a node leads every singleton whose lock it wins, so the node started first leads
 * them all. Balanced placement spreads them: with N live nodes and S elections a node leads at most its
 * <b>share</b>, ⌈S/N⌉ for the first {@code S mod N} nodes of the ring (liveness keys ascending) and ⌊S/N⌋ for the
 * others ({@link io.highlander.cdi.internal.election.FairShare}). The shares add up to S, so "every node at its
 * share" is the balanced state, and nobody can stay under its share while every other node is at its own.
 * <ul>
 *   <li><b>Counting N.</b> N is the number of liveness locks in the namespace ({@code LockSession.liveNodes}, one
 *       statement on the node session; no table). A node counts again when its session opens (after its own
 *       liveness lock is taken, so it counts itself), when it hears {@code joined}, {@code released} or
 *       {@code gone} (one count per batch of notices), when its watcher reports a node gone, and at least every
 *       standby interval (the safety net, which also reaches a heartbeat-only node that hears no notice); never
 *       per statement. Cost: one more statement per standby interval per node.</li>
 *   <li><b>Shedding.</b> When a count changes N or this node's share and it leads more than its share, it steps
 *       down the excess (the terms begun last), each through the election's own graceful step-down
 *       ({@code HL-0432}): {@code @PreDestroy} returns before the unlock, whose {@code released} notice sends the
 *       singleton on; the election then sits out the step-down's courtesy hold-off, so it is not won straight
 *       back. Shedding happens only on a change of N or share: a node over its share for another reason (a
 *       rescue, below) keeps what it has until the next join or leave, so rescue and shedding cannot chase each
 *       other in a loop.</li>
 *   <li><b>Trying.</b> A node under its share tries every lock it wants (one statement, as under first come) and
 *       keeps at most the room left in its share; a lock won beyond that is let go at once, before any instance
 *       started, with a {@code released} notice for the next node under its share. A node at or over its share
 *       does not try: it looks who holds the locks it wants ({@code holdersOf}, the statement the eventful try
 *       already used), which also keeps {@code status()}'s leader current.</li>
 *   <li><b>Liveness beats balance</b> (the rule chosen): a node at or over its share tries a lock anyway, and keeps
 *       it ({@code HL-0433}), once its looks found nobody holding it at every look for at least one standby interval
 *       (the grace). It cannot starve a singleton: while a singleton is unled, every connected node that wants it
 *       either is under its share, and tries it at its next try (at once on a notice, at most a standby interval
 *       later otherwise), or looks at it at least every standby interval and, finding it unheld at every look, tries
 *       it once the grace is over; a look that finds it held means somebody leads it. So an unled singleton is
 *       tried within about two standby intervals whatever the shares say: nodes with different singletons, a
 *       counted node that cannot lead (its election disabled), a node that just died but whose liveness lock still
 *       counts (until its session ends, then {@code gone}). Why a grace rather than "try what the last look showed
 *       free": right after a {@code released} the lock is free for the milliseconds the nodes under their share
 *       need to take it; a node at its share that took it then would be over its share and hand it on again. The
 *       grace lets the rightful taker win first, so the common re-balance hands each singleton over once.</li>
 * </ul>
 * Races:
 * <ul>
 *   <li><b>Two nodes under their share racing for one lock:</b> both try it; {@code pg_try_advisory_lock} grants
 *       it to one session, the other sees {@code false}, stays under its share and takes the next lock released.
 *       Nobody waits, so nothing queues or deadlocks.</li>
 *   <li><b>A node stepping down its excess while another joins:</b> the step-down is graceful, so there is no
 *       moment with two instances whatever happens next. The joining node's {@code joined} makes every node count
 *       again; a node whose share shrank again sheds the difference at that count; the locks released meanwhile go
 *       only to nodes under the share they counted. A taker keeps at most its room, so a singleton moves once per
 *       change of N unless N changes again while it moves.</li>
 *   <li><b>N counted while a node restarts with a new liveness key:</b> for a moment the old key (the old session,
 *       until it ends) and the new one may both count, so N is one too high and shares too low: nodes shed a
 *       little too much and the surplus lies free; the old session's end brings {@code gone}, every node counts
 *       again with the right N, and nodes under their share take the surplus (or, at worst, the grace rule does).
 *       The other way round (the old key gone, the new not yet taken) N is one too low; the restarted node's
 *       {@code joined} corrects it. Ranks change with the new random key, so which nodes have the ⌈S/N⌉ shares may
 *       move: at most one hand-over per singleton for that change.</li>
 *   <li><b>Nodes that count different N</b> (one heard a notice, another has not yet): their shares need not add up
 *       to S for that while. Too low: a singleton lies unled until the next count or the grace; too high: a node
 *       takes more than it will keep and sheds it at its next count, which comes with the same notice.</li>
 * </ul>
 * Tested in {@code BalancedPlacementTest}: three nodes lead 3 or 4 of ten each; a fourth joining leaves each at
 * most 3, every singleton started at most once during the re-balance and never twice at once; a node leaving
 * leaves every singleton led, each node within ⌈10/3⌉.
 */
package io.highlander.cdi.internal.election;
