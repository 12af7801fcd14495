package dev.parley.cli.chat;

import dev.parley.client.ChatMessage;
import dev.parley.client.ConnectionState;
import dev.parley.client.ConversationInfo;
import dev.parley.client.ParleyClient;
import dev.parley.client.ParleyListener;
import dev.parley.client.SendOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The line-based chat UI: reads commands and messages from {@code in}, prints to {@code out}. Lines that
 * start with {@code /} are commands; any other line is sent to the open conversation. Live events (new
 * messages, typing, presence, read receipts, connection changes) are printed as they arrive.
 */
final class ChatSession implements ParleyListener {
    static final String HELP = """
            Commands (anything else you type is sent to the open conversation):
              /list                      conversations, with unread counts
              /open <n|id|title|@handle> open one (prints the latest messages and marks them read)
              /more                      older messages of the open conversation
              /dm @handle                open a direct conversation
              /group <title> @a @b ...   create a group
              /add @handle ...           add members to the open group
              /leave                     leave the open conversation
              /accept                    accept the open message request (they see your presence from now on)
              /reply <seq> <text>        reply to a message
              /react <seq> <emoji>       react (again to remove: /unreact <seq> <emoji>)
              /edit <seq> <text>         edit one of your messages
              /delete <seq>              delete one of your messages
              /who                       members of the open conversation and who is online
              /status                    connection state and messages waiting to be sent
            """ + SafetyCommands.HELP + """
              /help                      this text
              /quit                      leave (unsent messages are kept and sent next time)
            """;
    private static final int PAGE = 20;

    private final ParleyClient client;
    private final BufferedReader in;
    private final PrintStream out;
    private final Names names;
    private final String me;
    private volatile String current;
    private volatile long oldestShown = Long.MAX_VALUE;
    private volatile List<ConversationInfo> listed = List.of();
    private final SafetyCommands safety;

    ChatSession(ParleyClient client, BufferedReader in, PrintStream out) {
        this.client = client;
        this.in = in;
        this.out = out;
        this.names = new Names(client);
        this.me = client.userId().orElse(null);
        this.safety = new SafetyCommands(client, names, me, this::println);
    }

    /** Runs until {@code /quit} or end of input. */
    void run() throws IOException {
        println("Signed in as " + names.of(me) + ". Type /help for commands.");
        try {
            client.awaitCaughtUp(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        list();
        String line;
        while ((line = in.readLine()) != null) {
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                if (!handle(line)) {
                    break;
                }
            } catch (IllegalArgumentException | IllegalStateException e) {
                println("! " + e.getMessage());
            } catch (CompletionException e) {
                println("! " + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()));
            } catch (RuntimeException e) {
                println("! " + e.getMessage());
            }
        }
        int left = client.outboxSize();
        if (left > 0) {
            println(left + " message(s) not sent yet; they go out the next time you run parley chat, send or tail.");
        }
    }

    private boolean handle(String line) {
        if (!line.startsWith("/")) {
            send(line, SendOptions.NONE);
            return true;
        }
        String[] parts = line.split("\\s+", 2);
        String arg = parts.length > 1 ? parts[1].strip() : "";
        switch (parts[0]) {
            case "/quit", "/exit", "/q" -> {
                return false;
            }
            case "/help", "/h", "/?" -> out.print(HELP);
            case "/list", "/l" -> list();
            case "/open", "/o" -> open(Targets.resolve(client, need(arg, "/open <n|id|title|@handle>"), listed));
            case "/more", "/m" -> more();
            case "/dm" -> open(Targets.resolve(client, "@" + stripAt(need(arg, "/dm @handle")), listed));
            case "/group" -> group(need(arg, "/group <title> @a @b ..."));
            case "/add" -> add(need(arg, "/add @handle ..."));
            case "/leave" -> {
                client.leave(openOne());
                println("· left");
                current = null;
            }
            case "/reply" -> {
                String[] r = need(arg, "/reply <seq> <text>").split("\\s+", 2);
                send(r.length > 1 ? r[1] : "", SendOptions.replyTo(seq(r[0])));
            }
            case "/react", "/unreact" -> {
                String[] r = need(arg, parts[0] + " <seq> <emoji>").split("\\s+", 2);
                if (r.length < 2) {
                    throw new IllegalArgumentException("usage: " + parts[0] + " <seq> <emoji>");
                }
                await(client.react(openOne(), seq(r[0]), r[1], "/react".equals(parts[0])));
            }
            case "/edit" -> {
                String[] r = need(arg, "/edit <seq> <text>").split("\\s+", 2);
                if (r.length < 2) {
                    throw new IllegalArgumentException("usage: /edit <seq> <text>");
                }
                await(client.edit(openOne(), seq(r[0]), r[1]));
            }
            case "/delete" -> await(client.delete(openOne(), seq(need(arg, "/delete <seq>"))));
            case "/accept" -> accept();
            case "/who" -> who();
            case "/status" -> status();
            case "/block" -> safety.block(need(arg, "/block @handle"));
            case "/unblock" -> safety.unblock(need(arg, "/unblock @handle"));
            case "/report" -> safety.report(openOne(), need(arg, "/report <seq> <reason>"));
            case "/search" -> safety.search(need(arg, "/search <words>"));
            default -> println("! unknown command " + parts[0] + " (try /help)");
        }
        return true;
    }

    private static String need(String arg, String usage) {
        if (arg.isEmpty()) {
            throw new IllegalArgumentException("usage: " + usage);
        }
        return arg;
    }

    private static String stripAt(String s) {
        return s.startsWith("@") ? s.substring(1) : s;
    }

    private static long seq(String s) {
        try {
            return Long.parseLong(s.startsWith("#") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a message number: " + s);
        }
    }

    private String openOne() {
        String c = current;
        if (c == null) {
            throw new IllegalStateException("open a conversation first (/list, then /open <n>)");
        }
        return c;
    }

    private void await(CompletableFuture<Long> change) {
        change.orTimeout(15, TimeUnit.SECONDS).join();
    }

    private void send(String text, SendOptions options) {
        String conv = openOne();
        if (text.isBlank()) {
            throw new IllegalArgumentException("nothing to send");
        }
        client.send(conv, text, options);
        if (!client.connectionState().isOnline()) {
            println("· offline: queued, it will be sent when the connection is back");
        }
    }

    private void list() {
        List<ConversationInfo> all = client.conversations();
        listed = all;
        if (all.isEmpty()) {
            println("No conversations yet. Start one with /dm @handle or /group <title> @a @b.");
            return;
        }
        for (int i = 0; i < all.size(); i++) {
            ConversationInfo c = all.get(i);
            String preview = c.lastMessage() == null ? ""
                    : client.isBlocked(c.lastMessage().senderId()) ? " — (message from a blocked user)"
                    : " — " + names.of(c.lastMessage().senderId()) + ": " + abbreviate(c.lastMessage().deleted()
                    ? "(deleted)" : String.valueOf(c.lastMessage().body()));
            println(String.format("%2d. %s%s%s%s", i + 1, c.request() ? "[request] " : "", title(c),
                    c.unread() > 0 ? " (" + c.unread() + " unread)" : "", preview));
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 39) + "…";
    }

    private String title(ConversationInfo c) {
        return Format.title(c, names, me);
    }

    private void open(String conversationId) {
        current = conversationId;
        ConversationInfo c = client.conversation(conversationId).orElse(null);
        println("— " + (c == null ? conversationId : title(c)) + " —");
        List<ChatMessage> page = client.history(conversationId, Long.MAX_VALUE, PAGE);
        oldestShown = page.isEmpty() ? Long.MAX_VALUE : page.get(0).seq();
        page.forEach(m -> println(Format.message(m, names, me)));
        client.pending(conversationId).forEach(m -> println(Format.message(m, names, me)));
        if (c != null && c.request()) {
            // A request: nothing is marked read and nothing tells them we looked until we accept or reply.
            println("· " + title(c) + " wants to chat. /accept to talk (they then see when you are online), or"
                    + " reply; /block @handle to decline.");
            return;
        }
        client.markRead(conversationId);
    }

    private void accept() {
        String conv = openOne();
        ConversationInfo c = client.accept(conv);
        println("· accepted: " + title(c));
        client.markRead(conv);
    }

    private void more() {
        String conv = openOne();
        List<ChatMessage> page = client.history(conv, oldestShown, PAGE);
        if (page.isEmpty()) {
            println("· that is the beginning of the conversation");
            return;
        }
        oldestShown = page.get(0).seq();
        page.forEach(m -> println(Format.message(m, names, me)));
    }

    private void group(String arg) {
        List<String> words = new ArrayList<>(Arrays.asList(arg.split("\\s+")));
        List<String> members = new ArrayList<>();
        List<String> title = new ArrayList<>();
        for (String w : words) {
            if (w.startsWith("@")) {
                members.add(userId(w.substring(1)));
            } else {
                title.add(w);
            }
        }
        ConversationInfo c = client.createGroup(String.join(" ", title), members);
        open(c.conversationId());
    }

    private void add(String arg) {
        List<String> ids = new ArrayList<>();
        for (String w : arg.split("\\s+")) {
            ids.add(userId(stripAt(w)));
        }
        client.addMembers(openOne(), ids);
    }

    private String userId(String handle) {
        return client.findUser(handle).orElseThrow(() -> new IllegalArgumentException("no user '" + handle + "'"))
                .userId();
    }

    private void who() {
        ConversationInfo c = client.conversation(openOne()).orElseThrow();
        for (String m : c.members()) {
            String presence = m.equals(me) ? "you" : client.isOnline(m).map(on -> on ? "online" : "offline").orElse("offline");
            ConversationInfo.Receipt r = c.receipts().get(m);
            println("  @" + names.of(m) + " — " + presence + (r == null ? "" : ", read up to #" + r.readSeq()));
        }
    }

    private void status() {
        ConnectionState s = client.connectionState();
        String retry = s.retryAt().map(at -> ", next try in "
                + Math.max(0, Duration.between(Instant.now(), at).toSeconds()) + " s").orElse("");
        println("· " + s.status().name().toLowerCase() + retry + (s.reason() == null ? "" : " (" + s.reason() + ")")
                + "; " + client.outboxSize() + " message(s) waiting to be sent");
    }

    private void println(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    // ---- live events -------------------------------------------------------------------------------

    @Override
    public void onMessage(ChatMessage m) {
        if (m.conversationId().equals(current)) {
            println(Format.message(m, names, me));
            client.markRead(m.conversationId(), m.seq());
        } else if (!m.senderId().equals(me)) {
            String title = client.conversation(m.conversationId()).map(this::title).orElse(m.conversationId());
            println("· new message in " + title + " from @" + names.of(m.senderId()));
        }
    }

    @Override
    public void onMessageUpdated(ChatMessage m) {
        if (m.conversationId().equals(current)) {
            println("  ↳ " + Format.message(m, names, me));
        }
    }

    @Override
    public void onSent(ChatMessage m) {
        if (m.tick() == dev.parley.client.Tick.FAILED) {
            println("! not sent (refused by the server): " + m.body());
        }
    }

    @Override
    public void onReceipt(String conversationId, ConversationInfo.Receipt r) {
        if (conversationId.equals(current) && !r.userId().equals(me) && r.readSeq() > 0) {
            println("· @" + names.of(r.userId()) + " has read up to #" + r.readSeq());
        }
    }

    @Override
    public void onTyping(String conversationId, String userId, boolean typing) {
        if (conversationId.equals(current) && !userId.equals(me)) {
            println(typing ? "· @" + names.of(userId) + " is typing…" : "· @" + names.of(userId) + " stopped typing");
        }
    }

    @Override
    public void onPresence(String userId, boolean online, Long lastSeenMs) {
        String c = current;
        if (c != null && client.conversation(c).map(i -> i.members().contains(userId)).orElse(false)) {
            println("· @" + names.of(userId) + " is " + (online ? "online" : "offline"));
        }
    }

    @Override
    public void onConnectionState(ConnectionState s) {
        switch (s.status()) {
            case ONLINE -> println("· online");
            case OFFLINE -> {
                if (s.nextRetryAt() != null) {
                    long in = Math.max(0, Duration.between(Instant.now(), s.nextRetryAt()).toMillis());
                    println("· offline (" + s.reason() + "); retrying in " + (in < 1000 ? in + " ms" : in / 1000 + " s"));
                }
            }
            default -> {
            }
        }
    }
}
