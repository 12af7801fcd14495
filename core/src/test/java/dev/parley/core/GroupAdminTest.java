package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ConversationView;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules of {@link GroupRoles} through {@link ChatService} and {@link GroupAdmin} on in-memory ports: every actor
 * role × target role × action from an explicit table (the same table runs over HTTP and the socket in the server's
 * {@code GroupRolesIT}), then succession, stepping down, direct conversations and account deletion.
 */
class GroupAdminTest {
    private final CoreFixture f = new CoreFixture(Limits.defaults(), RateBudgets.off());
    private final GroupAdmin groups = new GroupAdmin(f.chat, f.store, f.bus, new RandomIds(f.clock), f.clock,
            Limits.defaults());
    private final Caller alice = f.user("alice");
    private final Caller bob = f.user("bob");
    private final Caller carol = f.user("carol");
    private final Caller dave = f.user("dave");

    @AfterEach
    void close() {
        f.close();
    }

    /**
     * actor role, target role, then what each action answers ("ok" or an error code): remove the target, set the
     * target's role to owner, to admin, to member, delete the target's message.
     */
    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of("owner", "owner", "forbidden", "forbidden", "forbidden", "forbidden", "ok"),
                Arguments.of("owner", "admin", "ok", "ok", "ok", "ok", "ok"),
                Arguments.of("owner", "member", "ok", "ok", "ok", "ok", "ok"),
                Arguments.of("admin", "owner", "forbidden", "forbidden", "forbidden", "forbidden", "ok"),
                Arguments.of("admin", "admin", "forbidden", "forbidden", "forbidden", "forbidden", "ok"),
                Arguments.of("admin", "member", "ok", "forbidden", "ok", "ok", "ok"),
                Arguments.of("member", "owner", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"),
                Arguments.of("member", "admin", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"),
                Arguments.of("member", "member", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden"));
    }

    @ParameterizedTest(name = "{0} acting on {1}")
    @MethodSource("pairs")
    void everyActorRoleOnEveryTargetRole(String actorRole, String targetRole, String remove, String toOwner,
                                         String toAdmin, String toMember, String delete) {
        List<String> expected = List.of(remove, toOwner, toAdmin, toMember, delete);
        List<String> got = new ArrayList<>();
        got.add(outcome(() -> f.chat.removeMember(bob, setUp(actorRole, targetRole), carol.userId())));
        for (String role : GroupRoles.ALL) {
            String c = setUp(actorRole, targetRole);
            got.add(outcome(() -> groups.setRole(bob, c, carol.userId(), role)));
            if ("ok".equals(got.getLast())) {
                assertThat(f.chat.conversation(alice, c).roles()).containsEntry(carol.userId(), role);
            }
        }
        String c = setUp(actorRole, targetRole);
        long seq = f.chat.send(carol, new ClientFrame.Send("1", c, "m", "hi", null, null, null, null)).join().entry()
                .seq();
        got.add(outcome(() -> f.chat.delete(bob, new ClientFrame.Delete("d", c, seq)).join()));
        assertThat(got).as("remove, owner, admin, member, delete").isEqualTo(expected);
        if ("ok".equals(delete)) {
            assertThat(f.store.entry(c, seq).orElseThrow().deleted()).isTrue();
            assertThat(f.store.entry(c, seq + 1).orElseThrow().senderId()).as("the delete names who deleted")
                    .isEqualTo(bob.userId());
        }
    }

    @ParameterizedTest(name = "{0} adds and renames")
    @MethodSource("actors")
    void addingAndRenamingTakeAnOwnerOrAdmin(String actorRole, String expected) {
        String c = setUp(actorRole, "member");
        assertThat(outcome(() -> f.chat.addMembers(bob, c, List.of(dave.userId())))).isEqualTo(expected);
        assertThat(outcome(() -> groups.rename(bob, c, "by " + actorRole))).isEqualTo(expected);
        if ("ok".equals(expected)) {
            ConversationView v = f.chat.conversation(alice, c);
            assertThat(v.title()).isEqualTo("by " + actorRole);
            assertThat(v.roles()).containsEntry(dave.userId(), "member");
        }
    }

    static Stream<Arguments> actors() {
        return Stream.of(Arguments.of("owner", "ok"), Arguments.of("admin", "ok"), Arguments.of("member", "forbidden"));
    }

    @Test
    void renamesAndRoleChangesAreSystemEntriesThatReachEveryMember() {
        String c = group(alice, bob, carol);
        var carolEvents = f.record(EventBus.userTopic(carol.userId()));
        var log = f.recordConversation(c);
        groups.rename(alice, c, "  Lagoon trip ");
        groups.setRole(alice, c, bob.userId(), "admin");
        groups.rename(alice, c, "Lagoon trip"); // the same title: nothing stored
        groups.setRole(alice, c, bob.userId(), "admin"); // the same role: nothing stored

        List<Message> entries = f.store.entriesAfter(c, 0, 10);
        assertThat(entries).extracting(e -> e.system().action()).containsExactly(SystemAction.RENAMED, SystemAction.ROLE);
        assertThat(entries.get(0).system().title()).isEqualTo("Lagoon trip");
        assertThat(entries.get(1).system().roles()).containsExactly(Map.entry(bob.userId(), "admin"));
        assertThat(log).filteredOn(BusEvent.EntryAdded.class::isInstance).hasSize(2);
        assertThat(carolEvents).filteredOn(BusEvent.MembershipChanged.class::isInstance).hasSize(2);
        ConversationView v = f.chat.conversation(carol, c);
        assertThat(v.title()).isEqualTo("Lagoon trip");
        assertThat(v.roles()).containsExactly(Map.entry(alice.userId(), "owner"), Map.entry(bob.userId(), "admin"),
                Map.entry(carol.userId(), "member"));
    }

    @Test
    void theLastOwnerLeavingHandsOverToTheLongestStandingAdminElseMember() {
        String c = group(alice, bob, carol, dave);
        groups.setRole(alice, c, dave.userId(), "admin");
        f.chat.removeMember(alice, c, alice.userId());
        Message left = f.store.entriesAfter(c, 1, 10).getFirst();
        assertThat(left.system().action()).isEqualTo(SystemAction.LEFT);
        assertThat(left.system().roles()).containsExactly(Map.entry(dave.userId(), "owner"));
        assertThat(f.chat.conversation(bob, c).roles()).containsEntry(dave.userId(), "owner");

        f.chat.removeMember(dave, c, dave.userId());
        assertThat(f.chat.conversation(bob, c).roles()).containsExactly(Map.entry(bob.userId(), "owner"),
                Map.entry(carol.userId(), "member"));

        // An owner who leaves while another owner stays names nobody.
        groups.setRole(bob, c, carol.userId(), "owner");
        f.chat.removeMember(bob, c, bob.userId());
        assertThat(f.store.entriesAfter(c, 0, 10).getLast().system().roles()).isNull();
        assertThat(f.chat.conversation(carol, c).roles()).containsExactly(Map.entry(carol.userId(), "owner"));
    }

    @Test
    void membersStepDownButNeverUpAndTheLastOwnerMustNameAnotherFirst() {
        String c = group(alice, bob, carol);
        groups.setRole(alice, c, bob.userId(), "admin");
        assertThat(outcome(() -> groups.setRole(carol, c, carol.userId(), "admin"))).isEqualTo("forbidden");
        assertThat(outcome(() -> groups.setRole(bob, c, bob.userId(), "owner"))).isEqualTo("forbidden");
        assertThat(outcome(() -> groups.setRole(alice, c, alice.userId(), "admin"))).isEqualTo("conflict");
        assertThat(outcome(() -> groups.setRole(bob, c, bob.userId(), "member"))).isEqualTo("ok");
        groups.setRole(alice, c, carol.userId(), "owner");
        assertThat(outcome(() -> groups.setRole(alice, c, alice.userId(), "member"))).isEqualTo("ok");
        assertThat(f.chat.conversation(alice, c).roles()).containsExactly(Map.entry(alice.userId(), "member"),
                Map.entry(bob.userId(), "member"), Map.entry(carol.userId(), "owner"));
    }

    @Test
    void badInputAndStrangersAreRefusedWithTypedErrors() {
        String c = group(alice, bob);
        Caller eve = f.user("eve");
        assertThat(outcome(() -> groups.setRole(alice, c, bob.userId(), "emperor"))).isEqualTo("bad_request");
        assertThat(outcome(() -> groups.setRole(alice, c, bob.userId(), null))).isEqualTo("bad_request");
        assertThat(outcome(() -> groups.setRole(alice, c, eve.userId(), "admin"))).isEqualTo("not_found");
        assertThat(outcome(() -> groups.setRole(alice, c, "usr_nobody", "admin"))).isEqualTo("not_found");
        assertThat(outcome(() -> groups.rename(alice, c, "x".repeat(Limits.defaults().maxTitleLength() + 1))))
                .isEqualTo("bad_request");
        assertThat(outcome(() -> groups.rename(alice, c, "   "))).isEqualTo("bad_request");
        assertThat(outcome(() -> groups.rename(eve, c, "mine"))).isEqualTo("not_found");
        assertThat(outcome(() -> groups.setRole(eve, c, bob.userId(), "member"))).isEqualTo("not_found");
        assertThat(outcome(() -> groups.rename(alice, "cnv_nope", "mine"))).isEqualTo("not_found");
        assertThat(f.chat.conversation(alice, c).title()).isEqualTo("team");
    }

    @Test
    void directConversationsHaveNoTitleOrRolesAndOnlySendersDelete() {
        String d = f.chat.createConversation(alice, ConversationKind.DIRECT, List.of(bob.userId()), null, false).conversation()
                .conversationId();
        assertThat(f.chat.conversation(alice, d).roles()).isNull();
        assertThat(outcome(() -> groups.rename(alice, d, "ours"))).isEqualTo("bad_request");
        assertThat(outcome(() -> groups.setRole(alice, d, bob.userId(), "admin"))).isEqualTo("bad_request");
        long seq = f.chat.send(bob, new ClientFrame.Send("1", d, "m", "hi", null, null, null, null)).join().entry()
                .seq();
        assertThat(outcome(() -> f.chat.delete(alice, new ClientFrame.Delete("d", d, seq)).join()))
                .isEqualTo("forbidden");
    }

    @Test
    void aDeletedAccountLeavesItsGroupsAndHandsOwnershipOn() {
        String c = group(alice, bob, carol);
        String e2ee = f.chat.createConversation(alice, ConversationKind.GROUP, List.of(bob.userId()), "secret", true).conversation()
                .conversationId();
        groups.accountDeleted(alice);
        assertThat(f.chat.isMember(c, alice.userId())).isFalse();
        assertThat(f.chat.conversation(bob, c).roles()).containsExactly(Map.entry(bob.userId(), "owner"),
                Map.entry(carol.userId(), "member"));
        // In an e2ee group members change only by MLS commits: alice stays until one removes her, without a role.
        ConversationView secret = f.chat.conversation(bob, e2ee);
        assertThat(secret.members()).contains(alice.userId());
        assertThat(secret.roles()).containsEntry(alice.userId(), "member").containsEntry(bob.userId(), "owner");
    }

    /** A group made by alice with bob as {@code actorRole} and carol as {@code targetRole} (dave stays out). */
    private String setUp(String actorRole, String targetRole) {
        String c = group(alice, bob, carol);
        if (!"member".equals(actorRole)) {
            groups.setRole(alice, c, bob.userId(), actorRole);
        }
        if (!"member".equals(targetRole)) {
            groups.setRole(alice, c, carol.userId(), targetRole);
        }
        return c;
    }

    private String group(Caller owner, Caller... others) {
        List<String> ids = java.util.Arrays.stream(others).map(Caller::userId).toList();
        return f.chat.createConversation(owner, ConversationKind.GROUP, ids, "team", false).conversation().conversationId();
    }

    private static String outcome(Runnable action) {
        try {
            action.run();
            return "ok";
        } catch (CompletionException e) {
            return ((ChatException) e.getCause()).code().wire();
        } catch (ChatException e) {
            return e.code().wire();
        }
    }
}
