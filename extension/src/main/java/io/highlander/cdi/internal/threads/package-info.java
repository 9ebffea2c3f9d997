/**
 * The threads the library runs on: the container's {@code ManagedThreadFactory} in Jakarta EE, named daemon threads
 * elsewhere; and keeping the lines of a graceful stop under java.util.logging.
 */
package io.highlander.cdi.internal.threads;
