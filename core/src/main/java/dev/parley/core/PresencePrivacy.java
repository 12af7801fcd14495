package dev.parley.core;

import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ConversationView;
import dev.parley.protocol.EntryKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Who may see whose presence (docs/security.md, "Privacy of presence"). The rule, for every transport and
 * every way presence leaves the server (snapshots after {@code welcome}, live {@code presence} events, the
 * presence told when members join): user U's presence (online, last seen) is shown to V if and only if
 * some conversation has both as members and U is {@linkplain Engagement engaged} in it, and neither
 * blocks the other.
 *
 * <p>Presence changes are published only on the conversations the user is engaged in ({@link #shownOn});
 * a gateway receiving one on such a conversation's topic checks the per-pair part with {@link #mayDeliver}.
 * Also decides the per-viewer message-request flag of conversation views.
 */
public final class PresencePrivacy {

    private final Engagement engagement;
    private final ChatService chat;
    /** Set only to override the core's block list ({@link ChatService#blocks()}), e.g. in tests. */
    private volatile BlockCheck blocks;

    public PresencePrivacy(Engagement engagement, ChatService chat) {
        this.engagement = engagement;
        this.chat = chat;
    }

    /**
     * A rule for one core whose engagement cache listens on {@code bus} and is {@linkplain #attach attached}:
     * for single-process setups (tests, embedded use). A node builds its own (it also forgets the cache on
     * bus outages).
     */
    public static PresencePrivacy attached(dev.parley.core.port.EngagementStore store, ChatService chat,
                                           dev.parley.core.port.EventBus bus, java.time.Clock clock,
                                           Executor blocking) {
        Engagement engagement = new Engagement(store, bus, clock, 10_000);
        engagement.listen();
        PresencePrivacy privacy = new PresencePrivacy(engagement, chat);
        privacy.attach(blocking);
        return privacy;
    }

    /**
     * Connects the rule to the core: creators are engaged before anyone hears of a new conversation, a user's
     * first entry in a conversation engages them ({@code blocking} runs that store write, off the store's
     * completion thread), and views carry the request flag.
     */
    public void attach(Executor blocking) {
        chat.onConversationCreated(engagement::created);
        chat.onEntryStored(entry -> {
            String sender = entry.senderId();
            if (sender != null && entry.kind() != EntryKind.SYSTEM
                    && !engagement.knownEngaged(entry.conversationId(), sender)) {
                blocking.execute(() -> engagement.engage(entry.conversationId(), sender));
            }
        });
        chat.decorateViews((view, viewer) -> view.withRequest(isRequest(view, viewer)));
    }

    /**
     * The caller chooses to talk in a conversation they are a member of (accepts a message request or an
     * invitation to a group): from now on its members see the caller's presence. Idempotent.
     *
     * @return the conversation as the caller now sees it
     * @throws ChatException {@code not_found} when the caller is not a member
     */
    public ConversationView accept(Caller caller, String conversationId) {
        if (conversationId == null || conversationId.isEmpty() || conversationId.length() > 128) {
            throw ChatException.badRequest("conversation id is required");
        }
        chat.conversation(caller, conversationId); // not_found for a stranger, before anything is written
        engagement.engage(conversationId, caller.userId());
        return chat.conversation(caller, conversationId);
    }

    /**
     * Replaces the block list the rule asks (by default the core's, {@link ChatService#blocks()}): neither of two
     * people sees the other's presence while either blocks the other.
     */
    public void useBlocks(BlockCheck check) {
        this.blocks = check;
    }

    public Engagement engagement() {
        return engagement;
    }

    /** The part of the rule that is about the two people alone: not the same user, and no block either way. */
    public boolean mayDeliver(String subject, String viewer) {
        if (subject.equals(viewer)) {
            return false;
        }
        BlockCheck rule = blocks != null ? blocks : chat.blocks();
        return !rule.blocks(subject, viewer) && !rule.blocks(viewer, subject);
    }

    /** Whether V sees U's presence because of this conversation (both members, U engaged, no block). */
    public boolean visibleIn(String conversationId, String subject, String viewer) {
        Set<String> members = chat.members(conversationId);
        return members.contains(subject) && members.contains(viewer)
                && engagement.isEngaged(conversationId, subject) && mayDeliver(subject, viewer);
    }

    /** The whole rule: whether V sees U's presence at all. */
    public boolean visible(String subject, String viewer) {
        return mayDeliver(subject, viewer) && talksWith(subject, viewer);
    }

    /** Whether U chose to talk in some conversation V is also a member of (blocks aside). */
    public boolean talksWith(String subject, String viewer) {
        List<String> shared = new ArrayList<>();
        for (String id : chat.conversationIdsOf(subject)) {
            if (chat.members(id).contains(viewer)) {
                shared.add(id);
            }
        }
        for (Set<String> engaged : engagement.engagedIn(shared).values()) {
            if (engaged.contains(subject)) {
                return true;
            }
        }
        return false;
    }

    /** The conversations whose members are told the user's presence: those the user is engaged in. */
    public List<String> shownOn(String subject) {
        List<String> all = chat.conversationIdsOf(subject);
        Map<String, Set<String>> engaged = engagement.engagedIn(all);
        List<String> out = new ArrayList<>();
        for (String id : all) {
            if (engaged.getOrDefault(id, Set.of()).contains(subject)) {
                out.add(id);
            }
        }
        return out;
    }

    /** Everyone whose presence the viewer sees (for the snapshot after {@code welcome}). */
    public Set<String> visibleTo(String viewer) {
        return visibleTo(viewer, chat.conversationIdsOf(viewer));
    }

    /** {@link #visibleTo(String)} when the viewer's conversations ({@code mine}) were just read. */
    public Set<String> visibleTo(String viewer, List<String> mine) {
        Map<String, Set<String>> engaged = engagement.engagedIn(mine);
        Set<String> out = new HashSet<>();
        for (String id : mine) {
            Set<String> who = engaged.getOrDefault(id, Set.of());
            if (who.isEmpty()) {
                continue;
            }
            for (String member : chat.members(id)) {
                if (who.contains(member) && !out.contains(member) && mayDeliver(member, viewer)) {
                    out.add(member);
                }
            }
        }
        return out;
    }

    /** Of {@code subjects}, those engaged in the conversation (whose presence its members may be told). */
    public List<String> engagedOf(String conversationId, List<String> subjects) {
        Set<String> engaged = engagement.engagedIn(conversationId);
        return subjects.stream().filter(engaged::contains).toList();
    }

    /**
     * Whether the view is a message request for the viewer: a direct conversation someone else opened that
     * the viewer has neither accepted nor sent anything in, with someone the viewer does not talk with in any
     * other conversation either.
     */
    public boolean isRequest(ConversationView view, String viewer) {
        if (view.kind() != ConversationKind.DIRECT || view.members().size() < 2
                || !view.members().contains(viewer) || engagement.isEngaged(view.conversationId(), viewer)) {
            return false;
        }
        // Not from a stranger: the viewer already talks with them elsewhere (a group where the viewer spoke).
        String other = view.members().stream().filter(m -> !m.equals(viewer)).findFirst().orElse(viewer);
        return !talksWith(viewer, other);
    }
}
