/**
 * The build-compatible extension (CDI Lite), for Quarkus: the same rules and runtime as the portable extension,
 * reached through CDI Lite's phases. Internal: no compatibility promise.
 */
package io.highlander.cdi.internal.lite;
