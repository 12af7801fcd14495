package dev.parley.cli.chat;

import dev.parley.client.ChatMessage;
import dev.parley.client.ConversationInfo;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyListener;
import dev.parley.protocol.Json;
import dev.parley.protocol.Message;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code parley tail}: prints the latest messages, and with {@code -f} every new one as it arrives. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Prints the latest messages; with --follow, new ones as they arrive.", "",
            "Prints the last N messages of one or every conversation, then with --follow every new message "
                + "(each exactly once, in order) until interrupted. For scripts: --json prints raw log entries.", ""},
        footer = {"", "Examples:",
            "  parley tail -u alice -n 20 --conversation @bob",
            "  parley tail -u bot -f --json | jq -r .body          (every log entry as one JSON line)"})
public final class TailCommand implements Callable<Integer> {

    @Mixin
    AccountOptions account;

    @Option(names = {"-c", "--conversation"}, paramLabel = "TARGET",
            description = "only this conversation: an id, a group title, or @handle")
    String conversation;

    @Option(names = {"-n", "--lines"}, defaultValue = "10", paramLabel = "N",
            description = "messages to print first, per conversation (default ${DEFAULT-VALUE})")
    int lines;

    @Option(names = {"-f", "--follow"}, description = "keep printing new messages")
    boolean follow;

    @Option(names = "--json", description = "print raw log entries (all kinds) as JSON, one per line")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to wait for the first catch-up (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        BlockingQueue<Message> live = new LinkedBlockingQueue<>();
        ParleyListener collector = new ParleyListener() {
            @Override
            public void onEntry(Message entry) {
                live.add(entry);
            }
        };
        try (ParleyClient client = account.open("parley tail", collector)) {
            if (!client.awaitCaughtUp(Duration.ofSeconds(timeoutSeconds))) {
                System.err.println("parley: not caught up with the server yet; showing what is held locally");
            }
            String only = conversation == null ? null : Targets.resolve(client, conversation, null);
            Names names = new Names(client);
            String me = client.userId().orElse(null);
            Map<String, Long> printed = new HashMap<>();
            List<ConversationInfo> convs = only == null ? client.conversations()
                    : client.conversation(only).map(List::of).orElse(List.of());
            for (ConversationInfo c : convs.reversed()) {
                long upTo = c.lastSeq();
                printed.put(c.conversationId(), upTo);
                holdAtLeast(client, c.conversationId(), lines);
                if (json) {
                    List<Message> all = client.entries(c.conversationId());
                    all.subList(Math.max(0, all.size() - lines), all.size()).forEach(m -> System.out.println(json(client, m)));
                } else {
                    for (ChatMessage m : client.history(c.conversationId(), upTo + 1, lines)) {
                        System.out.println(line(client, names, me, m, only == null));
                    }
                }
            }
            System.out.flush();
            if (!follow) {
                return 0;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(client::close, "parley-tail-close"));
            while (true) {
                Message e = live.take();
                if (only != null && !only.equals(e.conversationId())) {
                    continue;
                }
                if (e.seq() <= printed.getOrDefault(e.conversationId(), 0L)) {
                    continue; // already in the backlog above
                }
                printed.put(e.conversationId(), e.seq());
                if (json) {
                    System.out.println(json(client, e));
                } else if (e.kind().isMessage() || e.kind() == dev.parley.protocol.EntryKind.SYSTEM) {
                    client.message(e.conversationId(), e.seq())
                            .ifPresent(m -> System.out.println(line(client, names, me, m, only == null)));
                }
                System.out.flush();
            }
        }
    }

    /**
     * Fetches older pages until {@code n} entries are held or the whole log is: a new device holds only the
     * newest part of a long conversation.
     */
    private static void holdAtLeast(ParleyClient client, String conversationId, int n) {
        int held = client.entries(conversationId).size();
        while (held < n && client.hasOlder(conversationId)) {
            held += client.loadOlder(conversationId, Math.min(200, Math.max(1, n - held)));
        }
    }

    /**
     * One entry as JSON: the log entry with its decrypted {@code body} in e2ee conversations, or, for an entry
     * this device could not decrypt, {@code "undecryptable": true} and no body.
     */
    static String json(ParleyClient client, Message m) {
        boolean undecryptable = (m.kind().isMessage() || m.kind() == dev.parley.protocol.EntryKind.EDIT)
                && client.message(m.conversationId(), m.seq()).map(ChatMessage::undecryptable).orElse(false);
        if (!undecryptable) {
            return Json.encode(m);
        }
        com.fasterxml.jackson.databind.node.ObjectNode node = Json.mapper().valueToTree(m);
        node.remove("body");
        node.put("undecryptable", true);
        return node.toString();
    }

    private static String line(ParleyClient client, Names names, String me, ChatMessage m, boolean withTitle) {
        String text = Format.message(m, names, me);
        if (!withTitle) {
            return text;
        }
        String title = client.conversation(m.conversationId()).map(c -> Format.title(c, names, me))
                .orElse(m.conversationId());
        return "[" + title + "] " + text;
    }
}
