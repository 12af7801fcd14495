package dev.parley.server.store.dynamo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.core.Account;
import dev.parley.core.Conversation;
import dev.parley.core.Device;
import dev.parley.core.NewEntry;
import dev.parley.core.port.AccountStore;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.ConversationKind;
import dev.parley.protocol.EntryKind;
import dev.parley.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The capacity the store's operations consume, as the engine reports it ({@code ReturnConsumedCapacity}):
 * the measured side of the cost model in {@code docs/dynamodb.md}. Prints one line per operation; asserts the
 * relations the model rests on (a page is one Query, group commit spreads the per-batch writes).
 */
class DynamoCostIT {
    private static final long T0 = 1_700_000_000_000L;
    private static final String BODY = "x".repeat(100);
    private final CapacityMeter meter = new CapacityMeter();
    private DynamoStores stores;
    private MessageStore messages;
    private AccountStore accounts;
    private int ids;

    @BeforeEach
    void open() {
        var config = new ServerConfig.DynamoDbConfig(Dynalite.endpoint(), "us-east-1",
                "cost" + ProcessHandle.current().pid() + "_" + System.nanoTime() + "_");
        stores = DynamoStores.open(config, 256, "dummy:dummy", List.of(meter));
        messages = stores.messages();
        accounts = stores.accounts();
    }

    @AfterEach
    void close() {
        stores.close();
    }

    @Test
    void capacityPerMessagePerPageAndPerSignIn() {
        messages.createConversation(new Conversation("cnv_1", ConversationKind.GROUP, "t", false, 0, "usr_a", null, T0,
                List.of("usr_a", "usr_b", "usr_c")));

        int singles = 20;
        CapacityMeter.Snapshot one = measure(() -> {
            for (int i = 0; i < singles; i++) {
                messages.append(text("cnv_1")).join();
            }
            return null;
        });
        int batched = 100;
        CapacityMeter.Snapshot many = measure(() -> {
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (int i = 0; i < batched; i++) {
                all.add(messages.append(text("cnv_1")));
            }
            all.forEach(CompletableFuture::join);
            return null;
        });
        for (int i = 0; i < 80; i++) {
            messages.append(text("cnv_1"));
        }
        messages.append(text("cnv_1")).join();
        CapacityMeter.Snapshot retry = measure(() -> messages.append(NewEntry.of(EntryKind.TEXT, "cnv_1", "msg_again", T0)
                .from("usr_a", "dev_a").clientMsgId("c-1").body(BODY).build()).join());
        CapacityMeter.Snapshot page50 = measure(() -> messages.entriesAfter("cnv_1", 0, 50));
        CapacityMeter.Snapshot page100 = measure(() -> messages.entriesAfter("cnv_1", 100, 100));
        CapacityMeter.Snapshot history50 = measure(() -> messages.entriesBefore("cnv_1", Long.MAX_VALUE, 50));
        CapacityMeter.Snapshot receipt = measure(() -> messages.moveWatermarks("cnv_1", "usr_b", 150, 150).join());
        CapacityMeter.Snapshot summary = measure(() -> messages.summary("cnv_1", "usr_b"));
        for (int c = 2; c <= 10; c++) {
            messages.createConversation(new Conversation("cnv_" + c, ConversationKind.GROUP, "t", false, 0, "usr_a", null, T0,
                    List.of("usr_a", "usr_b")));
        }
        long version = messages.changesSince("usr_b", 0).version();
        messages.append(text("cnv_2")).join();
        CapacityMeter.Snapshot listSyncAll = measure(() -> messages.changesSince("usr_b", 0));
        CapacityMeter.Snapshot listSyncOne = measure(() -> messages.changesSince("usr_b", version));

        byte[] token = "token-hash-of-32-bytes-exactly!!".getBytes(StandardCharsets.UTF_8);
        CapacityMeter.Snapshot signUp = measure(() -> {
            accounts.createAccount(new Account("usr_z", "Zed", "zed", null, "$argon2id$v=19$m=65536,t=3,p=1$"
                    + "c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", T0));
            accounts.createDevice(new Device("dev_z1", "usr_z", "laptop", token, T0));
            return null;
        });
        CapacityMeter.Snapshot signIn = measure(() -> {
            accounts.findAccountByHandle("zed").orElseThrow();
            accounts.createDevice(new Device("dev_z2", "usr_z", "phone", token.clone(), T0));
            return null;
        });
        CapacityMeter.Snapshot session = measure(() -> accounts.findDeviceByTokenHash(token));

        print("send, one per batch (per message)", one, singles);
        print("send, " + batched + " in flight (per message)", many, batched);
        print("resend of a stored clientMsgId", retry, 1);
        print("sync page of 50 (entriesAfter)", page50, 1);
        print("sync page of 100 (entriesAfter)", page100, 1);
        print("history page of 50 (entriesBefore)", history50, 1);
        print("read receipt (moveWatermarks)", receipt, 1);
        print("summary, 3 members, nothing unread", summary, 1);
        print("list sync from 0, 10 conversations", listSyncAll, 1);
        print("list sync, 1 of 10 changed", listSyncOne, 1);
        print("sign-up (account + first device)", signUp, 1);
        print("sign-in (handle lookup + device)", signIn, 1);
        print("session check (token -> device)", session, 1);

        assertThat(many.writes() / batched).as("group commit spreads the per-batch meta and version writes")
                .isLessThan(one.writes() / singles);
        assertThat(page100.requests()).as("a page is one Query after the meta read")
                .containsEntry("Query", 1).containsEntry("GetItem", 1);
        assertThat(page100.reads()).as("100 small entries fit in far fewer than 100 read units")
                .isLessThan(10);
        assertThat(retry.writes()).as("a resend writes no entry").isLessThan(one.writes() / singles);
        assertThat(session.writes()).isZero();
    }

    private CapacityMeter.Snapshot measure(Supplier<?> action) {
        CapacityMeter.Snapshot before = meter.snapshot();
        action.get();
        return meter.snapshot().minus(before);
    }

    private static void print(String what, CapacityMeter.Snapshot s, int per) {
        System.out.println(String.format(Locale.ROOT, "[dynamodb cost] %-40s RCU %6.2f  WCU %6.2f  requests %s",
                what, s.reads() / per, s.writes() / per, s.requests()));
    }

    private NewEntry text(String cid) {
        int n = ++ids;
        return NewEntry.of(EntryKind.TEXT, cid, "msg_" + n, T0 + n).from("usr_a", "dev_a").clientMsgId("c-" + n)
                .body(BODY).build();
    }
}
