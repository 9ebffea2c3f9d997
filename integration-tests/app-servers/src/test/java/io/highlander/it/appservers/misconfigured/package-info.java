/**
 * An application with a mistake in its declarations, for {@code WildFlyDeploymentProblemsIT}: a cluster singleton
 * that is not application-scoped, beside one that is fine. The test packs it and the library into a WAR of its own
 * and deploys it with a second mistake in its settings; it never runs in the test JVM.
 */
package io.highlander.it.appservers.misconfigured;
