/**
 * Everything this library says to PostgreSQL: the SQL text in one place ({@link io.highlander.cdi.internal.lock.Sql}),
 * one statement path that checks the backend, the session tag and the pooler once ({@link
 * io.highlander.cdi.internal.lock.LockSession}), the statements of the node session and of the watcher behind the
 * interfaces the election loops use ({@link io.highlander.cdi.internal.lock.NodeStatements}, {@link
 * io.highlander.cdi.internal.lock.WatcherStatements}), the notice protocol ({@link io.highlander.cdi.internal.lock.Notice})
 * and the lease with its safety argument ({@link io.highlander.cdi.internal.lock.Lease}). No policy and no thread
 * of its own: the election package decides.
 */
package io.highlander.cdi.internal.lock;
