package dev.parley.core.push;

import dev.parley.protocol.PushPayload;

/**
 * One push waiting in the durable queue: the latest entry of a conversation for one subscription, with
 * how many entries were coalesced into it and how many delivery attempts failed so far.
 */
public record QueuedPush(String pushId, PushSubscription subscription, PushPayload payload, int attempts,
                         long firstDecidedAtMs) {
}
