/**
 * The JMX view of a node: its elections, their state and leader, and the operations an operator may call.
 */
package io.highlander.cdi.internal.management;
