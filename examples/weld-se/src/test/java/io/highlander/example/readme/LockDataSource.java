package io.highlander.example.readme;

import io.highlander.cdi.HighlanderDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

@ApplicationScoped
public class LockDataSource {

    @Produces
    @HighlanderDataSource   // Highlander takes its lock connections from this bean; it wins over the settings
    DataSource locks() {
        // Not a pool: Highlander keeps its two connections (node session, watcher) open while the node runs
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(System.getProperty("app.locks.url"));   // e.g. jdbc:postgresql://db:5432/app
        dataSource.setUser(System.getProperty("app.locks.user"));
        dataSource.setPassword(System.getenv("APP_LOCKS_PASSWORD"));
        return dataSource;
    }
}
