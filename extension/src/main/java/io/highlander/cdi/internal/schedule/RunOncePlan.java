package io.highlander.cdi.internal.schedule;

import io.highlander.cdi.LeaderOnly;
import io.highlander.cdi.RunOnce;
import io.highlander.cdi.internal.Messages;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * What one method's {@link RunOnce} asks, read once: the job's name, the period, the misfire grace, and where a
 * firing's instant comes from (a parameter, or the clock). Also the deployment rules of the annotation
 * ({@link #problems}). Pure, apart from reading the method.
 *
 * @param job          the job's name in the record
 * @param every        the schedule's period
 * @param misfireGrace how long a firing on a node that does not lead waits for this node to lead
 * @param instantAt    the index of the parameter that gives the scheduled time, or -1 for the clock
 * @param fireTime     the accessor that reads the scheduled time from that parameter, or {@code null} when the
 *                     parameter is an {@link Instant} itself
 */
public record RunOncePlan(String job, Duration every, Duration misfireGrace, int instantAt, Method fireTime) {

    /** Quarkus' scheduler hands this to a method that asks for it; read by name, as Quarkus is not a dependency. */
    private static final String QUARKUS_EXECUTION = "io.quarkus.scheduler.ScheduledExecution";

    /**
     * The deployment rules of {@code @RunOnce}, on the annotation's values.
     *
     * @param where        the method, for messages ({@code com.acme.Cleanup.purge()})
     * @param every        the annotation's {@code every}
     * @param misfireGrace the annotation's {@code misfireGrace}
     * @param leaderOnly   whether the method or its class has {@link LeaderOnly}
     * @return what is wrong, one sentence each; empty when nothing is
     */
    public static List<String> problems(String where, String every, String misfireGrace, boolean leaderOnly) {
        List<String> problems = new ArrayList<>();
        Duration period = parse(every);
        if (period == null || period.isNegative() || period.isZero()) {
            problems.add(Messages.runOnceBadDuration(where, "every", every, "a positive ISO-8601 duration, e.g. PT1H"));
        }
        Duration grace = parse(misfireGrace);
        if (grace == null || grace.isNegative()) {
            problems.add(Messages.runOnceBadDuration(where, "misfireGrace", misfireGrace,
                    "an ISO-8601 duration of zero or more, e.g. PT30S"));
        }
        if (!leaderOnly) {
            problems.add(Messages.runOnceWithoutLeaderOnly(where));
        }
        return problems;
    }

    /**
     * @param method a method with {@link RunOnce}
     * @return its plan
     * @throws IllegalStateException if the annotation breaks a rule of {@link #problems} (the portable extension
     *                               refuses such a deployment before any call; this guards the others)
     */
    public static RunOncePlan of(Method method) {
        RunOnce once = method.getAnnotation(RunOnce.class);
        String where = where(method);
        boolean leaderOnly = method.isAnnotationPresent(LeaderOnly.class)
                || method.getDeclaringClass().isAnnotationPresent(LeaderOnly.class);
        List<String> problems = problems(where, once.every(), once.misfireGrace(), leaderOnly);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(problems.get(0));
        }
        String job = once.job().isEmpty() ? method.getDeclaringClass().getName() + "." + method.getName() : once.job();
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            if (types[i] == Instant.class) {
                return new RunOncePlan(job, parse(once.every()), parse(once.misfireGrace()), i, null);
            }
            if (types[i].getName().equals(QUARKUS_EXECUTION)) {
                try {
                    return new RunOncePlan(job, parse(once.every()), parse(once.misfireGrace()), i,
                            types[i].getMethod("getScheduledFireTime"));
                } catch (NoSuchMethodException e) {
                    break; // a Quarkus without it: the clock
                }
            }
        }
        return new RunOncePlan(job, parse(once.every()), parse(once.misfireGrace()), -1, null);
    }

    /**
     * @param method a method
     * @return how messages name it
     */
    public static String where(Method method) {
        return method.getDeclaringClass().getName() + "." + method.getName() + "()";
    }

    /**
     * @param parameters the call's parameters
     * @param clock      this node's clock
     * @return the instant the firing belongs to
     */
    public ScheduledInstant instantOf(Object[] parameters, Clock clock) {
        Instant firing = null;
        if (instantAt >= 0 && parameters != null && parameters[instantAt] != null) {
            firing = fireTime == null ? (Instant) parameters[instantAt] : fireTimeOf(parameters[instantAt]);
        }
        return ScheduledInstant.of(job, firing == null ? clock.instant() : firing, every);
    }

    private Instant fireTimeOf(Object execution) {
        try {
            return (Instant) fireTime.invoke(execution);
        } catch (IllegalAccessException | InvocationTargetException e) {
            return null; // the clock, as if the scheduler had given nothing
        }
    }

    private static Duration parse(String text) {
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
