package io.highlander.cdi.internal.metrics;

import io.highlander.cdi.internal.lock.Notice;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

/**
 * What this node counts about its node session, told by the election code ({@link ElectionProbe}): connections
 * held, reconnects, notices heard by kind, and each heartbeat's round trip for the meters that time them. Registered
 * by the extension (one per container, so several nodes in one JVM count apart); it knows no metrics library.
 */
@Singleton
public class NodeTally implements ElectionProbe {

    /** The kinds of notice, as the meters name them (the payload's own word for each, see {@link Notice}). */
    static final List<String> NOTICE_KINDS = List.of("joined", "gone", "wake", "acquired", "released", "abandoned");

    private volatile IntSupplier connections = () -> 0;
    private final AtomicBoolean opened = new AtomicBoolean();
    private final LongAdder reconnects = new LongAdder();
    private final Map<String, LongAdder> notices = new LinkedHashMap<>();
    private final List<LongConsumer> heartbeatListeners = new CopyOnWriteArrayList<>();

    /** The tally, as the container makes it. */
    public NodeTally() {
        for (String kind : NOTICE_KINDS) {
            notices.put(kind, new LongAdder()); // filled once, read concurrently afterwards
        }
    }

    /**
     * @param beanManager the application's bean manager, once the deployment is valid
     * @return the node's tally, or {@link ElectionProbe#NONE} where the container has none to give
     */
    public static ElectionProbe of(BeanManager beanManager) {
        Set<Bean<?>> beans = beanManager.getBeans(NodeTally.class);
        if (beans.isEmpty()) {
            return NONE;
        }
        Bean<?> bean = beanManager.resolve(beans);
        return (ElectionProbe) beanManager.getReference(bean, NodeTally.class, beanManager.createCreationalContext(bean));
    }

    @Override
    public void connections(IntSupplier held) {
        connections = held;
    }

    @Override
    public void sessionOpened() {
        if (!opened.compareAndSet(false, true)) {
            reconnects.increment();
        }
    }

    @Override
    public void heartbeat(long roundTripNanos) {
        for (LongConsumer listener : heartbeatListeners) {
            try {
                listener.accept(roundTripNanos);
            } catch (RuntimeException e) {
                // a meter is a view: the thread that keeps the locks goes on
            }
        }
    }

    @Override
    public void noticeHeard(Notice notice) {
        notices.get(kind(notice)).increment();
    }

    /** @return how many connections of the DataSource the node holds now */
    public int connectionsHeld() {
        return connections.getAsInt();
    }

    /** @return how many times the node session was opened again after it was lost */
    public long reconnects() {
        return reconnects.sum();
    }

    /**
     * @param kind one of {@link #NOTICE_KINDS}
     * @return how many notices of that kind the node session heard from other sessions
     */
    public long noticesHeard(String kind) {
        return notices.get(kind).sum();
    }

    /** @param listener told each heartbeat's round trip in nanoseconds, from now on, on the lock thread: be quick */
    public void onHeartbeat(LongConsumer listener) {
        heartbeatListeners.add(listener);
    }

    /** @param listener a listener given to {@link #onHeartbeat}, to forget */
    public void removeHeartbeatListener(LongConsumer listener) {
        heartbeatListeners.remove(listener);
    }

    static String kind(Notice notice) {
        if (notice instanceof Notice.Joined) {
            return "joined";
        } else if (notice instanceof Notice.Gone) {
            return "gone";
        } else if (notice instanceof Notice.Wake) {
            return "wake";
        } else if (notice instanceof Notice.Acquired) {
            return "acquired";
        }
        return ((Notice.Released) notice).clean() ? "released" : "abandoned";
    }
}
