/**
 * The threads the library runs on: the container's {@code ManagedThreadFactory} in Jakarta EE, named daemon threads
 * elsewhere ({@link io.highlander.cdi.internal.threads.LifecycleThreads}); and keeping the lines of a graceful stop
 * under java.util.logging.
 *
 * <h2>Why the driver's short waits run on unmanaged threads</h2>
 * {@link io.highlander.cdi.internal.threads.CancelThreads} starts plain daemon threads, not managed ones, for a
 * statement's cancel request, the abandon of a connection past its deadline, and each host's connect of a raced
 * multi-host URL. A container manages a thread so that the application's code on it sees the application's class
 * loader, JNDI namespace and security context, and so that it can stop the thread with the application. None of that
 * applies here, and three rules keep it so:
 * <ol>
 *   <li>Only JDBC driver code runs on them ({@code Statement.cancel}, {@code Connection.abort}/{@code close},
 *       {@code DriverManager.getConnection} with a URL and properties already made); never user code, an event, a
 *       log handler of the application's, a JNDI lookup or a CDI call. The lines they may log (HL-0350, a statement past
 *       its deadline; HL-0314, a connection left open) go through {@code System.Logger}, as every thread of the
 *       library does.</li>
 *   <li>Each ends by itself within the driver's timeouts, which the library sets on its own URL DataSource
 *       ({@code ConnectBounds}: {@code connectTimeout}, {@code socketTimeout}, {@code cancelSignalTimeout}), so an
 *       undeploy never waits for one for longer than those; they are daemon threads, so they never hold up a JVM
 *       exit.</li>
 *   <li>Their context class loader is the library's, not the creator's, so a thread still waiting out a timeout
 *       after an undeploy does not keep the application's class loader reachable.</li>
 * </ol>
 * pgjdbc itself makes the same choice: its cancel timer and its statement-timeout timer are plain threads it starts
 * on its own. Passing the managed factory down instead would thread it through every session's constructor for no
 * behaviour an application could see.
 */
package io.highlander.cdi.internal.threads;
