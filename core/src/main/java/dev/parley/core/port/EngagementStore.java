package dev.parley.core.port;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Who has chosen to talk in which conversation (docs/security.md, "Privacy of presence"). A user is
 * engaged in a conversation they created, sent anything in, or accepted. Engagement is only ever added:
 * it is the fact that decides who sees the user's presence and which conversations are message requests.
 */
public interface EngagementStore {

    /**
     * Records that the user is engaged in the conversation; idempotent, safe when several nodes race.
     *
     * @return true if this call recorded it (false if it was already recorded)
     */
    boolean engage(String conversationId, String userId, long atMs);

    /**
     * For each of the given conversations that has any, the users engaged in it (members or not: callers
     * intersect with the current members). Conversations nobody engaged in may be left out.
     */
    Map<String, Set<String>> engagedIn(Collection<String> conversationIds);
}
