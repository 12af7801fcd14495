package dev.parley.core;

import dev.parley.protocol.Message;
import java.util.List;
import java.util.Optional;

/**
 * A conversation as one member sees it in their list: shared state, that member's watermarks and
 * unread count, every member's watermarks, and the newest text/media entry.
 */
public record ConversationSummary(Conversation conversation, long deliveredSeq, long readSeq, long unread,
                                  List<Watermarks> receipts, Optional<Message> lastMessage) {
}
