package dev.parley.core;

import java.util.List;

/**
 * The answer to "what changed in my conversation list since version V": the changed conversations,
 * the ids of those the user left or was removed from, and the version to ask from next time.
 */
public record ConversationChanges(List<ConversationSummary> changed, List<String> removed, long version) {
}
