/**
 * Settings: where they come from (MicroProfile Config, then system properties, then environment variables), the one
 * list of known keys, and every problem with them reported at once.
 */
package io.highlander.cdi.internal.config;
