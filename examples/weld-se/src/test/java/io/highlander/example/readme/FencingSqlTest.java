package io.highlander.example.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.highlander.cdi.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README gives one statement that fences a write with the leader's token. This runs that very statement on
 * PostgreSQL: a write is accepted only if its token is at least the highest the row has seen, so a stale leader's
 * late write changes nothing, while the current leader may write again with the same token.
 */
class FencingSqlTest {

    /** A comparison of a token in SQL, written either way round: {@code token <= ?}, {@code ? >= token}, ... */
    private static final Pattern TOKEN_COMPARISON = Pattern.compile("token\\s*[<>]=|[<>]=\\s*\\S*token");

    @Test
    void theReadmeGivesOneFencingStatement() throws IOException {
        List<ReadmeSnippetsTest.Block> sql = fencingBlocks();
        assertThat(sql).as("```sql blocks of README.md that compare a token").hasSize(1);
        String readme = Files.readString(ReadmeSnippetsTest.ROOT.resolve("README.md"));
        long comparisons = TOKEN_COMPARISON.matcher(readme).results().count();
        assertThat(comparisons).as("token comparisons in README.md: only the one statement's").isEqualTo(1);
    }

    @Test
    void theReadmesStatementRefusesAStaleLeadersWrite() throws IOException, SQLException {
        String update = fencingBlocks().get(0).text().trim();
        TestPostgres postgres = TestPostgres.shared();
        Properties login = new Properties();
        if (postgres.user() != null) {
            login.setProperty("user", postgres.user());
        }
        if (postgres.password() != null) {
            login.setProperty("password", postgres.password());
        }
        try (Connection connection = DriverManager.getConnection(postgres.newDatabase(), login)) {
            try (Statement ddl = connection.createStatement()) {
                ddl.execute("CREATE TABLE report (id int PRIMARY KEY, body text, fencing_token bigint NOT NULL)");
                ddl.execute("INSERT INTO report VALUES (1, 'none', 0)");
            }
            assertThat(write(connection, update, "term 5", 5)).as("the leader of term 5 writes").isEqualTo(1);
            assertThat(write(connection, update, "term 5 again", 5)).as("and writes again in its term").isEqualTo(1);
            assertThat(write(connection, update, "term 7", 7)).as("the next leader writes").isEqualTo(1);
            assertThat(write(connection, update, "term 5, late", 5)).as("the old leader's late write").isZero();
            try (Statement query = connection.createStatement();
                 ResultSet row = query.executeQuery("SELECT body, fencing_token FROM report WHERE id = 1")) {
                assertThat(row.next()).isTrue();
                assertThat(row.getString(1)).isEqualTo("term 7");
                assertThat(row.getLong(2)).isEqualTo(7);
            }
        }
    }

    /**
     * Javadoc, examples and the other READMEs show only a fragment of the statement, but it must be the README's
     * comparison: the public {@code Leadership} javadoc once showed it reversed ({@code token >= ?}), which accepts
     * exactly the stale write it claimed to reject. Tests and the library's internals are left out: they compare
     * tokens for reasons of their own, and the CHANGELOG may quote what was wrong.
     */
    @Test
    void everyTokenComparisonShownToUsersIsTheReadmes() throws IOException {
        String statement = fencingBlocks().get(0).text();
        var readmes = TOKEN_COMPARISON.matcher(statement);
        assertThat(readmes.find()).isTrue();
        int from = statement.lastIndexOf(' ', readmes.start());
        String comparison = statement.substring(from + 1, readmes.end()) + " ?";   // "fencing_token <= ?"
        List<String> others = new ArrayList<>();
        for (Path file : shownToUsers()) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (TOKEN_COMPARISON.matcher(lines.get(i)).find() && !lines.get(i).contains(comparison)) {
                    others.add(ReadmeSnippetsTest.ROOT.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertThat(others).as("token comparisons other than the README's %s", comparison).isEmpty();
    }

    /** The Java sources and Markdown files but the CHANGELOG, outside tests, build output and internal packages. */
    private static List<Path> shownToUsers() throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(ReadmeSnippetsTest.ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                boolean skipped = name.startsWith(".") || name.equals("target") || name.equals("internal")
                        || dir.endsWith(Path.of("src", "test"));
                return skipped && !dir.equals(ReadmeSnippetsTest.ROOT) ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                String name = file.getFileName().toString();
                if ((name.endsWith(".java") || name.endsWith(".md")) && !name.equals("CHANGELOG.md")) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    /** Binds as the README says: the body, the token, the row's id, the token again. */
    private static int write(Connection connection, String update, String body, long token) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(update)) {
            statement.setString(1, body);
            statement.setLong(2, token);
            statement.setInt(3, 1);
            statement.setLong(4, token);
            return statement.executeUpdate();
        }
    }

    private static List<ReadmeSnippetsTest.Block> fencingBlocks() throws IOException {
        return ReadmeSnippetsTest.blocks(ReadmeSnippetsTest.ROOT.resolve("README.md")).stream()
                .filter(block -> block.language().equals("sql") && TOKEN_COMPARISON.matcher(block.text()).find())
                .toList();
    }
}
