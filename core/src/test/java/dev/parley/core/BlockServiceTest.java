package dev.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.memory.InMemoryBlockStore;
import dev.parley.core.memory.InMemoryKeyPackageStore;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BlockServiceTest {
    final CoreFixture f = new CoreFixture();
    final InMemoryBlockStore store = new InMemoryBlockStore();
    final BlockService blocks = service();
    final Caller alice = f.user("alice");
    final Caller bob = f.user("bob");
    final Caller carol = f.user("carol");

    {
        f.chat.useBlocks(blocks);
    }

    private BlockService service() {
        return new BlockService(store, f.accountStore, f.bus, f.rateLimiter, RateBudgets.defaults(), f.clock, 1000);
    }

    @AfterEach
    void close() {
        blocks.close();
        f.close();
    }

    private static ErrorCode codeOf(Throwable t) {
        Throwable x = t instanceof CompletionException ? t.getCause() : t;
        return ((ChatException) x).code();
    }

    private String direct(Caller a, Caller b) {
        return f.chat.createConversation(a, ConversationKind.DIRECT, List.of(b.userId()), null, false).conversation()
                .conversationId();
    }

    private Message send(Caller c, String conversationId, String body) {
        return f.chat.send(c, new ClientFrame.Send("1", conversationId, "m-" + body, body, null, null, null, null))
                .join().entry();
    }

    @Test
    void blockingOneselfOrAnUnknownUserIsATypedError() {
        assertThatThrownBy(() -> blocks.block(alice, alice.userId())).satisfies(e ->
                assertThat(codeOf(e)).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> blocks.block(alice, "usr_nobody")).satisfies(e ->
                assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> blocks.block(alice, "x".repeat(65))).satisfies(e ->
                assertThat(codeOf(e)).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThatThrownBy(() -> blocks.unblock(alice, "usr_nobody")).satisfies(e ->
                assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(blocks.list(alice)).isEmpty();
    }

    @Test
    void blockAndUnblockAreIdempotentAndListed() {
        blocks.block(alice, bob.userId());
        f.clock.advance(1000);
        blocks.block(alice, bob.userId());
        blocks.block(alice, carol.userId());
        assertThat(blocks.list(alice)).extracting(BlockService.BlockedAccount::handle).containsExactly("bob", "carol");
        assertThat(blocks.blocks(alice.userId(), bob.userId())).isTrue();
        assertThat(blocks.blocks(bob.userId(), alice.userId())).isFalse();
        blocks.unblock(alice, bob.userId());
        blocks.unblock(alice, bob.userId());
        assertThat(blocks.blocks(alice.userId(), bob.userId())).isFalse();
        assertThat(blocks.list(alice)).extracting(BlockService.BlockedAccount::userId).containsExactly(carol.userId());
    }

    @Test
    void aChangeOnOneNodeReachesTheCacheOfAnother() {
        try (BlockService other = service()) {
            assertThat(other.blocks(alice.userId(), bob.userId())).isFalse(); // cached: blocks nobody
            assertThat(other.blocksIfCached(alice.userId(), bob.userId())).contains(false);
            blocks.block(alice, bob.userId());
            assertThat(other.blocksIfCached(alice.userId(), bob.userId())).isEmpty(); // dropped by the bus event
            assertThat(other.blocks(alice.userId(), bob.userId())).isTrue();
            blocks.unblock(alice, bob.userId());
            assertThat(other.blocks(alice.userId(), bob.userId())).isFalse();
        }
    }

    @Test
    void theCacheStaysBoundedAndAnswersRightAfterEvictions() {
        try (BlockService small = new BlockService(store, f.accountStore, f.bus, f.rateLimiter, RateBudgets.defaults(),
                f.clock, 8)) {
            blocks.block(alice, bob.userId());
            for (int i = 0; i < 50; i++) {
                assertThat(small.blocks("usr_other_" + i, bob.userId())).isFalse();
                assertThat(small.blocks(alice.userId(), bob.userId())).isTrue();
            }
            long cached = java.util.stream.IntStream.range(0, 50)
                    .filter(i -> small.blocksIfCached("usr_other_" + i, bob.userId()).isPresent()).count();
            assertThat(cached).isLessThanOrEqualTo(8);
        }
    }

    @Test
    void changesAreRateLimited() {
        ErrorCode last = null;
        for (int i = 0; i < BlockService.CHANGES.burst() + 1 && last == null; i++) {
            try {
                blocks.block(alice, bob.userId());
            } catch (ChatException e) {
                last = e.code();
            }
        }
        assertThat(last).isEqualTo(ErrorCode.RATE_LIMITED);
    }

    @Test
    void aBlockedUserCannotSendReactOrEditInTheDirectConversation() {
        String dm = direct(alice, bob);
        Message before = send(bob, dm, "before");
        Message mine = send(alice, dm, "mine");
        blocks.block(alice, bob.userId());
        assertThatThrownBy(() -> send(bob, dm, "after")).satisfies(e ->
                assertThat(codeOf(e)).isEqualTo(ErrorCode.FORBIDDEN));
        ClientFrame.Send fast = new ClientFrame.Send("2", dm, "fast", "x", null, null, null, null);
        assertThat(f.chat.sendWithoutBlocking(bob, fast)).isNull(); // left to the path that refuses it
        assertThatThrownBy(() -> f.chat.react(bob, new ClientFrame.React("3", dm, mine.seq(), "👍", true, "r1"))
                .join()).satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.FORBIDDEN));
        assertThatThrownBy(() -> f.chat.edit(bob, new ClientFrame.Edit("4", dm, before.seq(), "changed", "e1"))
                .join()).satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.FORBIDDEN));
        // The blocker may still write; unblocking lets the other write again.
        send(alice, dm, "still");
        blocks.unblock(alice, bob.userId());
        assertThat(send(bob, dm, "again").body()).isEqualTo("again");
    }

    @Test
    void groupSendsAreStoredAndHiddenOnlyAtDelivery() {
        String group = f.chat.createConversation(alice, ConversationKind.GROUP, List.of(bob.userId()), "two", false).conversation()
                .conversationId();
        blocks.block(alice, bob.userId());
        Message fromBob = send(bob, group, "in a group");
        assertThat(f.chat.sync(alice, group, 0, 100).messages()).extracting(Message::seq).contains(fromBob.seq());
        assertThat(f.chat.blocks().hidesEntry(fromBob, alice.userId())).isTrue();
        assertThat(f.chat.blocks().hidesEntry(fromBob, carol.userId())).isFalse();
        assertThat(f.chat.blocks().hidesEntry(fromBob, bob.userId())).isFalse();
        assertThat(f.chat.blocks().hidesTyping(bob.userId(), alice.userId())).isTrue();
        assertThat(f.chat.blocks().hidesTyping(alice.userId(), bob.userId())).isTrue();
        assertThat(f.chat.blocks().hidesActivity(bob.userId(), alice.userId())).isTrue();
        assertThat(f.chat.blocks().hidesActivity(alice.userId(), bob.userId())).isFalse();
    }

    @Test
    void keyPackageClaimsAreRefusedForAUserWhoBlocksTheCaller() {
        var packages = new KeyPackageService(new InMemoryKeyPackageStore(), (bytes, user, device, now) -> { },
                f.rateLimiter, RateBudgets.defaults(), f.clock, blocks);
        blocks.block(alice, bob.userId());
        assertThatThrownBy(() -> packages.claim(bob, List.of(alice.userId(), carol.userId()))).satisfies(e ->
                assertThat(codeOf(e)).isEqualTo(ErrorCode.FORBIDDEN));
        assertThat(packages.claim(alice, List.of(bob.userId()))).isEmpty(); // the blocker may still claim
        assertThat(packages.claim(carol, List.of(alice.userId()))).isEmpty();
    }
}
