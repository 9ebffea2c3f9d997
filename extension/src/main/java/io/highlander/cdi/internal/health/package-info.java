/**
 * MicroProfile Health checks (liveness, readiness), registered only when that API is on the class path.
 */
package io.highlander.cdi.internal.health;
