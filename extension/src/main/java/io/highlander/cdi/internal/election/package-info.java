/**
 * Elections: one {@link io.highlander.cdi.internal.election.Election} per singleton decides; one node session per
 * node holds the locks. The node session's logic is the {@link io.highlander.cdi.internal.election.NodeLoop}, a
 * confined event loop stepped by its driver {@link io.highlander.cdi.internal.election.NodeSession}; the second
 * connection's is the {@link io.highlander.cdi.internal.election.WatcherLoop}, stepped by
 * {@link io.highlander.cdi.internal.election.Watcher}; the rules they follow are small pure policies
 * ({@code Courtesy}, {@code StrictTakeover}, {@code Placement}, {@code Schedule}, {@code Backoff}).
 *
 * <p>The design, its state diagram, its numbered rules (L, N, W, C, S, B) and its races are in
 * {@code docs/design/election.md} in the repository; the lease's safety argument is in
 * {@link io.highlander.cdi.internal.lock.Lease}.
 */
package io.highlander.cdi.internal.election;
