/**
 * Metrics where users look: what a node counts about its elections ({@link LeadershipTally}) and about its node
 * session ({@link NodeTally}, told by the election code through {@link ElectionProbe}), read in one place
 * ({@link SingletonReadings}), and published to Micrometer ({@link MicrometerMeters}) and OpenTelemetry
 * ({@link OpenTelemetryMeters}) only when the application has their API ({@link MetricsPublisher}). The names are
 * documented in {@code docs/metrics.md}.
 */
package io.highlander.cdi.internal.metrics;
