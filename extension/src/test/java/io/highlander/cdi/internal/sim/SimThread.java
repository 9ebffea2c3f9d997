package io.highlander.cdi.internal.sim;

import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Runs code that makes blocking calls (the real node code calls its statements synchronously) on a thread of its
 * own, in lock step with the scheduler: at any moment exactly one thread runs, either the scheduler's or one of
 * these, and control changes hands only at {@link #await} and at the end of the body. So the run stays a pure
 * function of its seed although real threads carry it.
 *
 * <p>A blocking call is {@code await(done -> start the request; the reply calls done.accept(value))}: the request
 * is made, the scheduler goes on, and when an action of the scheduler delivers the reply the thread continues from
 * there, at that virtual time, through its {@link SimProcess} (so not while the node is frozen, never once it is
 * dead). A killed process's thread ends with {@link Killed} at its next (or current) await.
 */
public final class SimThread {

    /** Thrown inside the body when its process was killed: it unwinds the body (it is an Error so that the code
     * under test, which catches exceptions, does not swallow it). */
    public static final class Killed extends Error {
        private static final long serialVersionUID = 1L;

        Killed() {
            super("the simulated process was killed", null, false, false);
        }
    }

    private static final ThreadLocal<SimThread> CURRENT = new ThreadLocal<>();

    private final SimProcess process;
    private final Semaphore go = new Semaphore(0);
    private final Semaphore back = new Semaphore(0);
    private final Thread thread;
    private volatile boolean killed;
    private volatile boolean finished;
    private volatile Throwable failure;
    private Object reply;
    private long waiting; // which await a reply belongs to

    private SimThread(SimProcess process, String name, Consumer<SimThread> body) {
        this.process = process;
        this.thread = new Thread(() -> {
            go.acquireUninterruptibly();
            CURRENT.set(this);
            try {
                if (!killed) {
                    body.accept(this);
                }
            } catch (Killed e) {
                // unwound
            } catch (Throwable t) {
                failure = t;
            } finally {
                finished = true;
                back.release();
            }
        }, "sim-" + name);
        thread.setDaemon(true);
    }

    /** Starts {@code body} on a thread of {@code process}, as the scheduler's next action at this instant. */
    public static SimThread start(SimProcess process, String name, Consumer<SimThread> body) {
        SimThread simThread = new SimThread(process, name, body);
        simThread.thread.start();
        process.after(0, simThread::resume);
        return simThread;
    }

    /**
     * On this thread: starts a request and waits for its reply, letting the scheduler run meanwhile.
     *
     * @param request makes the request; whoever answers calls the given consumer, once, from a scheduler action
     * @return the reply
     */
    @SuppressWarnings("unchecked")
    public <T> T await(Consumer<Consumer<T>> request) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("await called off its thread");
        }
        if (killed) {
            throw new Killed(); // code that unwinds a killed thread (a finally) gets no more round trips
        }
        long ticket = ++waiting;
        boolean[] replied = {false};
        request.accept(value -> {
            if (ticket == waiting && !finished && !replied[0]) {
                replied[0] = true;
                reply = value;
                // always from a scheduler action of its own: the reply may come from another simulated thread
                process.after(0, () -> {
                    if (ticket == waiting) {
                        resume();
                    }
                });
            }
        });
        back.release();
        go.acquireUninterruptibly();
        if (killed) {
            throw new Killed();
        }
        return (T) reply;
    }

    /** @return the simulated thread running the caller, if the caller runs on one */
    public static java.util.Optional<SimThread> current() {
        return java.util.Optional.ofNullable(CURRENT.get());
    }

    /** Scheduler thread: lets this thread run until its next await or its end. */
    private void resume() {
        if (finished) {
            return;
        }
        go.release();
        back.acquireUninterruptibly();
        Throwable failed = failure;
        if (failed != null) {
            failure = null;
            throw new IllegalStateException("the simulated code failed on " + thread.getName(), failed);
        }
    }

    /** Scheduler thread: ends the thread (its process died or the run is over), waiting until it has unwound. */
    public void kill() {
        if (finished) {
            return;
        }
        killed = true;
        go.release();
        back.acquireUninterruptibly();
    }

    /** @return whether the body returned or was unwound */
    public boolean finished() {
        return finished;
    }

    /** @return the process it belongs to */
    public SimProcess process() {
        return process;
    }
}
