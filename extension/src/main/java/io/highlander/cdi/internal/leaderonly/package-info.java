/**
 * {@code @LeaderOnly} and the injectable {@code Leadership}: the interceptor that skips calls on a node that does not
 * lead, what a skipped call returns, and the producer of a singleton's term. Both extensions register these classes.
 */
package io.highlander.cdi.internal.leaderonly;
