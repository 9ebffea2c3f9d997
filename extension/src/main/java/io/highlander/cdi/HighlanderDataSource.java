package io.highlander.cdi;

import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Qualifies the {@link javax.sql.DataSource} bean that Highlander takes its lock connections from.
 * It is the first source looked at; without such a bean the JNDI name and then the JDBC URL of
 * {@link HighlanderSettings} are used.
 *
 * <pre>{@code
 * @Produces @HighlanderDataSource
 * @Resource(lookup = "java:jboss/datasources/AppDS")
 * DataSource dataSource;
 * }</pre>
 *
 * Each node holds one connection of it per singleton, for as long as the application runs.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE})
public @interface HighlanderDataSource {
}
