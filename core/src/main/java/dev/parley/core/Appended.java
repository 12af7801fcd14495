package dev.parley.core;

import dev.parley.protocol.Message;

/**
 * The result of an append: the stored entry, and whether it was already there (an idempotent retry
 * of the same {@code (senderDeviceId, clientMsgId)}), in which case nothing new was stored.
 */
public record Appended(Message entry, boolean duplicate) {
}
