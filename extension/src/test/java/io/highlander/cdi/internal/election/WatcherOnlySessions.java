package io.highlander.cdi.internal.election;

import io.highlander.cdi.internal.lock.NodeStatements;
import io.highlander.cdi.internal.lock.Sessions;
import io.highlander.cdi.internal.lock.WatcherStatements;

/** Sessions for a test of the watcher alone: its statements are scripted, and no node session is ever opened. */
final class WatcherOnlySessions implements Sessions {

    private final WatcherStatements watcher;

    WatcherOnlySessions(WatcherStatements watcher) {
        this.watcher = watcher;
    }

    @Override
    public NodeStatements openNode(String label) {
        throw new UnsupportedOperationException("a watcher test opens no node session");
    }

    @Override
    public WatcherStatements openWatcher(String label) {
        return watcher;
    }

    @Override
    public String description() {
        return "scripted";
    }
}
