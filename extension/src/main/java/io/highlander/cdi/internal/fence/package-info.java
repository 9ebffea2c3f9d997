/**
 * The fence of a leader's writes inside the application's own transaction: {@code FenceKey} (the companion lock of
 * a singleton), {@code FenceEntry} (what a fenced transaction asks of the server, one round trip) and
 * {@code FenceBarrier} (what a new term waits for before it begins). Why it is safe: docs/design/fencing.md.
 */
package io.highlander.cdi.internal.fence;
