package io.highlander.cdi.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where Debian's PostgreSQL server binaries are: the newest {@code /usr/lib/postgresql/<major>/bin} that has
 * {@code initdb}, {@code pg_ctl}, {@code pg_basebackup} and {@code postgres}. zonky's embedded server has no
 * {@code pg_basebackup}, so a real streaming replica needs these.
 *
 * @param bin     the directory
 * @param major   its major version
 */
record PgBinaries(Path bin, int major) {

    private static final Path ROOT = Path.of("/usr/lib/postgresql");

    /** @return the binaries, or an error that says how to install them */
    static PgBinaries locate() {
        return find().orElseThrow(() -> new IllegalStateException("No PostgreSQL server binaries with pg_basebackup"
                + " under " + ROOT + "/*/bin: install them (Debian: apt-get install -y postgresql-15) to run the"
                + " failover tests"));
    }

    static Optional<PgBinaries> find() {
        if (!Files.isDirectory(ROOT)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(ROOT)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .map(v -> new PgBinaries(v.resolve("bin"), Integer.parseInt(v.getFileName().toString())))
                    .filter(PgBinaries::complete)
                    .max(Comparator.comparingInt(PgBinaries::major));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** @return the path of one program */
    String program(String name) {
        return bin.resolve(name).toString();
    }

    private boolean complete() {
        return Stream.of("initdb", "pg_ctl", "pg_basebackup", "postgres")
                .allMatch(name -> Files.isExecutable(bin.resolve(name)));
    }
}
