/**
 * A Jakarta EE 11 application for {@code ScheduledAsynchronousOnServerIT}: a Jakarta Concurrency 3.1 scheduled
 * asynchronous method ({@code @Asynchronous(runAt = @Schedule(cron = …))}) with {@code @LeaderOnly} on a bean-less
 * election, which records each firing it runs in PostgreSQL with its fencing token. The test packs these classes
 * and the library into a WAR of their own; they never run in the test JVM.
 */
package io.highlander.it.appservers.scheduled;
