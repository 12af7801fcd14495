package dev.parley.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Conversation;
import dev.parley.core.ConversationChanges;
import dev.parley.core.NewEntry;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MessageStore} keeps of group roles (docs/protocol.md, "Roles"): the creator is the first owner,
 * everyone else joins as a member, a {@code system} entry's {@code roles} apply atomically with its append, and a
 * group with members is never left without an owner. An adapter's test extends this with a fresh, empty store.
 */
public abstract class GroupRolesStoreContract {
    private static final long T0 = 1_700_000_000_000L;

    protected MessageStore store;
    private final AtomicLong ids = new AtomicLong();

    protected abstract MessageStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void theCreatorIsOwnerAndEveryoneElseAMemberAlsoWhenAddedLater() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b", "usr_c"));
        assertThat(roles("cnv_1")).containsExactly(Map.entry("usr_a", "owner"), Map.entry("usr_b", "member"),
                Map.entry("usr_c", "member"));

        system("cnv_1", "usr_a", new Message.SystemChange(SystemAction.ADDED, List.of("usr_d"), null),
                new NewEntry.MembershipChange(List.of("usr_d"), List.of()));
        assertThat(roles("cnv_1")).containsEntry("usr_d", "member").hasSize(4);
        assertThat(store.summary("cnv_1", "usr_d").orElseThrow().conversation().roleOf("usr_a")).isEqualTo("owner");
    }

    @Test
    void aRoleEntrySetsTheRoleWithTheAppendAndListSyncsSeeIt() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b", "usr_c"));
        long before = store.changesSince("usr_c", 0).version();

        Message stored = system("cnv_1", "usr_a", new Message.SystemChange(SystemAction.ROLE, List.of("usr_b"), null,
                Map.of("usr_b", "admin")), null);

        assertThat(stored.system().roles()).containsExactly(Map.entry("usr_b", "admin"));
        assertThat(store.entry("cnv_1", stored.seq()).orElseThrow().system()).isEqualTo(stored.system());
        assertThat(roles("cnv_1")).containsEntry("usr_b", "admin").containsEntry("usr_a", "owner");
        ConversationChanges changes = store.changesSince("usr_c", before);
        assertThat(changes.changed()).singleElement()
                .satisfies(s -> assertThat(s.conversation().roleOf("usr_b")).isEqualTo("admin"));
    }

    @Test
    void unknownRolesAndNonMembersInARoleEntryChangeNothing() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        system("cnv_1", "usr_a", new Message.SystemChange(SystemAction.ROLE, List.of("usr_b"), null,
                Map.of("usr_b", "emperor", "usr_x", "owner")), null);
        assertThat(roles("cnv_1")).containsExactly(Map.entry("usr_a", "owner"), Map.entry("usr_b", "member"));
        assertThat(store.isMember("cnv_1", "usr_x")).isFalse();
    }

    @Test
    void theSuccessorNamedWhenTheLastOwnerLeavesBecomesOwner() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b", "usr_c"));
        system("cnv_1", "usr_a", new Message.SystemChange(SystemAction.LEFT, List.of("usr_a"), null, Map.of("usr_c", "owner")),
                new NewEntry.MembershipChange(List.of(), List.of("usr_a")));
        assertThat(roles("cnv_1")).containsExactly(Map.entry("usr_b", "member"), Map.entry("usr_c", "owner"));
    }

    @Test
    void aGroupLeftWithoutAnOwnerGetsTheLongestStandingAdminElseMember() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b", "usr_c", "usr_d"));
        system("cnv_1", "usr_a", new Message.SystemChange(SystemAction.ROLE, List.of("usr_d"), null, Map.of("usr_d", "admin")),
                null);
        // A removal that names no successor (an MLS commit, or two owners leaving at once): the store keeps an owner.
        system("cnv_1", "usr_a", new Message.SystemChange(SystemAction.LEFT, List.of("usr_a"), null),
                new NewEntry.MembershipChange(List.of(), List.of("usr_a")));
        assertThat(roles("cnv_1")).containsExactly(Map.entry("usr_b", "member"), Map.entry("usr_c", "member"),
                Map.entry("usr_d", "owner"));

        system("cnv_1", "usr_d", new Message.SystemChange(SystemAction.LEFT, List.of("usr_d"), null),
                new NewEntry.MembershipChange(List.of(), List.of("usr_d")));
        assertThat(roles("cnv_1")).containsExactly(Map.entry("usr_b", "owner"), Map.entry("usr_c", "member"));
    }

    @Test
    void aRenameSetsTheTitleAndTouchesNoRole() {
        store.createConversation(group("cnv_1", "usr_a", "usr_b"));
        system("cnv_1", "usr_a", new Message.SystemChange(SystemAction.RENAMED, List.of(), "Lagoon"), null);
        Conversation c = store.findConversation("cnv_1").orElseThrow();
        assertThat(c.title()).isEqualTo("Lagoon");
        assertThat(c.memberRoles()).containsExactly(Map.entry("usr_a", "owner"), Map.entry("usr_b", "member"));
    }

    private Map<String, String> roles(String conversationId) {
        Map<String, String> found = store.findConversation(conversationId).orElseThrow().memberRoles();
        String anyone = found.keySet().iterator().next();
        assertThat(store.summary(conversationId, anyone).orElseThrow().conversation().memberRoles())
                .as("summaries read the same roles").isEqualTo(found);
        return found;
    }

    private Message system(String conversationId, String sender, Message.SystemChange change,
                           NewEntry.MembershipChange membership) {
        return store.append(NewEntry.of(EntryKind.SYSTEM, conversationId, "msg_" + ids.incrementAndGet(), T0 + ids.get())
                .from(sender, "dev_" + sender).system(change).membership(membership).build()).join().entry();
    }

    private static Conversation group(String id, String creator, String... others) {
        List<String> members = new java.util.ArrayList<>(List.of(creator));
        members.addAll(List.of(others));
        return new Conversation(id, ConversationKind.GROUP, "team", false, 0, creator, null, T0, members);
    }
}
