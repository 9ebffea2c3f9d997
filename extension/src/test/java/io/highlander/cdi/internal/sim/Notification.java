package io.highlander.cdi.internal.sim;

/**
 * A notification as the receiver sees it ({@code PGNotification}): the channel, the payload and the sender's
 * backend pid, nothing else about the sender.
 *
 * @param channel the channel
 * @param payload the payload
 * @param senderPid the sending backend's pid
 */
public record Notification(String channel, String payload, int senderPid) { }
