/**
 * Highlander's implementation; no compatibility promise. Read it top down:
 * {@link io.highlander.cdi.internal.HighlanderExtension} (container events) →
 * {@code discovery} (what the application declared) → {@code election} (who leads, one state machine per
 * singleton) → {@code lock} (the only SQL, and the lease that keeps it safe) → {@code context} and
 * {@code events} (what the application sees). {@code config}, {@code datasource} and {@code threads}
 * supply settings, connections and threads.
 */
package io.highlander.cdi.internal;
