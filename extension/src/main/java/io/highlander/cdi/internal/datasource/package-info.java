/**
 * Where the connections come from (a CDI bean, a JNDI name, a JDBC URL), what a failed connect means for the
 * user, and the check that a pool still has a connection for the application.
 */
package io.highlander.cdi.internal.datasource;
