package io.highlander.cdi.internal.lock;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Finds pgjdbc's own connection under a pool's or a server's handle, by reflection: the library has no dependency on
 * the driver. Used to wait on the node session's socket ({@link Notifications}) and to end a fenced transaction's
 * session when its term ends ({@link #physical}), where a server's handle may not pass {@code abort} on.
 *
 * <p>How it is found, in order: the handle itself if it is one; the connection {@code unwrap(Connection)} answers
 * (HikariCP's answer is the driver's); the connection the handle's {@code getMetaData()} belongs to (IronJacamar
 * hands out the driver's own metadata, whose {@code getConnection()} is the driver's connection, while its
 * {@code unwrap} cannot be asked for pgjdbc's interface: neither the handle's module nor the application sees the
 * driver's classes); {@code unwrap(PGConnection)} with that interface loaded by the handle's, the context's, the
 * driver's or the metadata's class loader, or the loader of an {@code SQLXML} the driver made (Open Liberty and
 * Payara unwrap to vendor interfaces; Liberty's driver library is seen by none of the others).
 */
public final class DriverConnections {

    private static final String PG_CONNECTION = "org.postgresql.PGConnection";

    private DriverConnections() {
    }

    /**
     * pgjdbc's connection and its {@code PGConnection} interface, as the loader that found it sees the interface.
     *
     * @param connection the driver's connection (or the object the handle unwrapped to)
     * @param contract   {@code org.postgresql.PGConnection}
     */
    record Found(Object connection, Class<?> contract) {
    }

    /**
     * @param handle a connection, perhaps a pool's handle
     * @return pgjdbc's connection under it, if it is a different object than the handle and can be reached; empty
     *         for a handle that is the driver's connection itself, or whose driver is not pgjdbc
     */
    public static Optional<Connection> physical(Connection handle) {
        return under(handle).map(Found::connection).filter(found -> found != handle)
                .filter(Connection.class::isInstance).map(Connection.class::cast);
    }

    /**
     * @param handle a connection, perhaps a pool's handle
     * @return pgjdbc's connection under it (the handle itself if it is one), if it can be reached
     */
    static Optional<Found> under(Connection handle) {
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        loaders.add(handle.getClass().getClassLoader());
        loaders.add(Thread.currentThread().getContextClassLoader());
        Connection underneath = unwrapToConnection(handle);
        if (underneath != null) {
            loaders.add(underneath.getClass().getClassLoader());
        }
        loaders.add(driversClassLoader(handle));
        DatabaseMetaData metaData = metaData(handle);
        Connection behindMetaData = null;
        if (metaData != null) {
            loaders.add(metaData.getClass().getClassLoader());
            behindMetaData = connectionOf(metaData);
        }
        loaders.remove(null);
        for (Object candidate : new Object[] {handle, underneath, behindMetaData}) {
            Class<?> contract = pgConnectionContract(candidate);
            if (contract != null) {
                return Optional.of(new Found(candidate, contract));
            }
        }
        for (ClassLoader loader : loaders) {
            try {
                Class<?> pgConnection = Class.forName(PG_CONNECTION, false, loader);
                if (handle.isWrapperFor(pgConnection)) {
                    return Optional.of(new Found(handle.unwrap(pgConnection), pgConnection));
                }
            } catch (ClassNotFoundException | LinkageError | SQLException | RuntimeException e) {
                // not this loader
            }
        }
        return Optional.empty();
    }

    /** @return pgjdbc's interface if {@code candidate} implements it itself, else null */
    private static Class<?> pgConnectionContract(Object candidate) {
        if (candidate == null) {
            return null;
        }
        for (Class<?> type = candidate.getClass(); type != null; type = type.getSuperclass()) {
            Class<?> contract = pgConnectionAmong(type.getInterfaces());
            if (contract != null) {
                return contract;
            }
        }
        return null;
    }

    /** @return pgjdbc's interface among these or the interfaces they extend (PgConnection implements BaseConnection) */
    private static Class<?> pgConnectionAmong(Class<?>[] contracts) {
        for (Class<?> contract : contracts) {
            Class<?> found = contract.getName().equals(PG_CONNECTION) ? contract
                    : pgConnectionAmong(contract.getInterfaces());
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static Connection unwrapToConnection(Connection connection) {
        try {
            Connection underneath = connection.unwrap(Connection.class);
            return underneath == connection ? null : underneath;
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            return null;
        }
    }

    /**
     * @return the class loader of an object the driver makes for the handle without a round trip and that pools
     *         pass through unwrapped (an {@code SQLXML}), null if none: Open Liberty keeps the driver in a library
     *         of its own, which neither its handles' nor the application's class loader sees, and its
     *         {@code unwrap} answers for pgjdbc's interface only as that library loads it
     */
    private static ClassLoader driversClassLoader(Connection connection) {
        try {
            SQLXML probe = connection.createSQLXML();
            try {
                return probe.getClass().getClassLoader();
            } finally {
                probe.free();
            }
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            return null;
        }
    }

    /** @return the handle's metadata, null if it has none: no round trip in pgjdbc (a local object) */
    private static DatabaseMetaData metaData(Connection connection) {
        try {
            return connection.getMetaData();
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            return null;
        }
    }

    private static Connection connectionOf(DatabaseMetaData metaData) {
        try {
            return metaData.getConnection();
        } catch (SQLException | RuntimeException | AbstractMethodError e) {
            return null;
        }
    }
}
