package io.highlander.example.readme;

import io.highlander.cdi.Leadership;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/** A leader's write that commits only while its term holds (the README's "Fencing writes"). */
public final class FencedWrite {

    private final Leadership leadership; // @Inject @OfSingleton("nightly-report") Leadership in a bean
    private final DataSource dataSource;

    public FencedWrite(Leadership leadership, DataSource dataSource) {
        this.leadership = leadership;
        this.dataSource = dataSource;
    }

    public void save(String body) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);              // or inside a JTA transaction
            leadership.fence(c);                 // one statement; NotLeaderException (HL-0470) once the term ended
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO report (body) VALUES (?)")) {
                insert.setString(1, body);
                insert.executeUpdate();
            }
            c.commit();
        }
    }
}
