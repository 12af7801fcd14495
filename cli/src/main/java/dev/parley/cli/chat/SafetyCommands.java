package dev.parley.cli.chat;

import dev.parley.client.ParleyClient;
import dev.parley.protocol.Http;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Consumer;

/**
 * The chat commands for blocking, reporting and searching: {@code /block @handle}, {@code /unblock @handle},
 * {@code /report <seq> <reason>} (in the open conversation) and {@code /search WORDS} (over all conversations,
 * as {@code parley search} does).
 */
final class SafetyCommands {
    static final String HELP = """
              /block @handle             block someone: no messages, typing or pushes from them, and no DMs
              /unblock @handle           unblock them
              /report <seq> <reason>     report a message of the open conversation to the operator
              /search <words>            search your messages (never end-to-end encrypted ones)
            """;
    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());
    private static final int SEARCH_LIMIT = 20;

    private final ParleyClient client;
    private final Names names;
    private final String me;
    private final Consumer<String> println;

    SafetyCommands(ParleyClient client, Names names, String me, Consumer<String> println) {
        this.client = client;
        this.names = names;
        this.me = me;
        this.println = println;
    }

    void block(String handle) {
        var user = user(handle);
        client.block(user.userId());
        println.accept("· blocked @" + user.handle() + ": you will not see their messages; they cannot message you");
    }

    void unblock(String handle) {
        var user = user(handle);
        client.unblock(user.userId());
        println.accept("· unblocked @" + user.handle());
    }

    void report(String conversationId, String arg) {
        String[] r = arg.split("\\s+", 2);
        if (r.length < 2 || r[1].isBlank()) {
            throw new IllegalArgumentException("usage: /report <seq> <reason>");
        }
        long seq;
        try {
            seq = Long.parseLong(r[0].startsWith("#") ? r[0].substring(1) : r[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a message number: " + r[0]);
        }
        String reportId = client.report(conversationId, seq, r[1].strip());
        println.accept("· reported #" + seq + " to the operator (" + reportId + ")");
    }

    void search(String words) {
        List<Http.SearchResult> found = client.search(words, null, SEARCH_LIMIT);
        if (found.isEmpty()) {
            println.accept("· nothing found");
            return;
        }
        for (Http.SearchResult r : found) {
            if (client.isBlocked(r.senderId())) {
                continue;
            }
            println.accept(line(client, names, me, r));
        }
    }

    /** One search hit: {@code [title #seq] yyyy-MM-dd HH:mm handle: snippet}. */
    static String line(ParleyClient client, Names names, String me, Http.SearchResult r) {
        String title = client.conversation(r.conversationId()).map(c -> Format.title(c, names, me))
                .orElse(r.conversationId());
        return "[" + title + " #" + r.seq() + "] " + WHEN.format(Instant.ofEpochMilli(r.sentAtMs())) + " "
                + names.of(r.senderId()) + ": " + r.snippet();
    }

    private Http.User user(String handle) {
        String h = handle.startsWith("@") ? handle.substring(1) : handle;
        return client.findUser(h).orElseThrow(() -> new IllegalArgumentException("no user '" + h + "'"));
    }
}
