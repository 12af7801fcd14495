package dev.parley.cli.chat;

import dev.parley.client.ConversationInfo;
import dev.parley.client.ParleyClient;
import java.util.List;

/** Turns what a user types to name a conversation into a conversation id. */
final class Targets {
    private Targets() {
    }

    /**
     * {@code @handle} opens the direct conversation with that user; a number is a position in
     * {@code listed}; anything else is a conversation id, or else a group title. Ids, titles and the handles
     * of people this device has seen resolve from the local store without the server.
     */
    static String resolve(ParleyClient client, String target, List<ConversationInfo> listed) {
        if (target.startsWith("@")) {
            String handle = target.substring(1);
            // Both steps answer from the local store when they can, so a person one has talked with is
            // reachable by handle while the server is down (the message then waits in the outbox).
            String userId = client.findUser(handle)
                    .orElseThrow(() -> new IllegalArgumentException("no user '" + handle + "'")).userId();
            return client.directWith(userId).orElseGet(() -> client.openDirect(userId)).conversationId();
        }
        if (target.matches("\\d{1,4}") && listed != null) {
            int i = Integer.parseInt(target);
            if (i < 1 || i > listed.size()) {
                throw new IllegalArgumentException("no conversation number " + i + " (see /list)");
            }
            return listed.get(i - 1).conversationId();
        }
        if (client.conversation(target).isPresent()) {
            return target;
        }
        for (ConversationInfo c : client.conversations()) {
            if (target.equalsIgnoreCase(c.title())) {
                return c.conversationId();
            }
        }
        if (target.startsWith("cnv_")) {
            return target; // not held yet; the server decides
        }
        throw new IllegalArgumentException("no conversation '" + target + "' (use an id, a title or @handle)");
    }
}
