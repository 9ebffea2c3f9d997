/**
 * The application of {@code FencedTransactionOnServerIT}, packed into a WAR of its own ({@code PackageWar.fenced}): a
 * singleton whose {@code @PostConstruct} records when its term began, and a container-managed JTA transaction that
 * fences itself with the singleton's term, writes a row, and then waits until the test lets it commit.
 */
package io.highlander.it.appservers.fenced;
