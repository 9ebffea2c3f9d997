/**
 * Metrics where users look: what a node counts about its elections ({@link LeadershipTally}), read in one place
 * ({@link SingletonReadings}), and published to Micrometer ({@link MicrometerMeters}) and OpenTelemetry
 * ({@link OpenTelemetryMeters}) only when the application has their API ({@link MetricsPublisher}). The names are
 * documented in {@code docs/metrics.md}. {@link ElectionProbe} is what the election code will tell, for the meters
 * only it can feed.
 */
package io.highlander.cdi.internal.metrics;
