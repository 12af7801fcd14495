package dev.parley.cli.chat;

import dev.parley.client.ChatMessage;
import dev.parley.client.OutgoingMessage;
import dev.parley.client.ParleyClient;
import dev.parley.client.SendOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code parley send}: sends one message (or one per stdin line) and waits until the server stored it. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Sends a message and waits until it is stored; prints its seq.", "",
            "With no text (or '-'), sends each line of standard input as one message, in order. "
                + "If the server cannot be reached in time, the messages stay in the local outbox and are sent "
                + "by the next parley chat/send/tail for this account; the exit code is then 3.", ""},
        footer = {"", "Exit codes: 0 stored, 2 error, 3 still queued after --timeout.", "",
            "Examples:",
            "  parley send -u alice --to @bob 'see you at 6'",
            "  parley send -u alice --to friends 'build passed'        (a group by title)",
            "  make test 2>&1 | tail -5 | parley send -u ci --to cnv_01h... -"})
public final class SendCommand implements Callable<Integer> {

    @Mixin
    AccountOptions account;

    @Option(names = {"-t", "--to"}, required = true, paramLabel = "TARGET",
            description = "conversation: an id, a group title, or @handle for a direct conversation")
    String to;

    @Option(names = "--reply-to", paramLabel = "SEQ", description = "reply to the message with this seq")
    Long replyTo;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to wait for the server (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "the message (words are joined with spaces)")
    List<String> words = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> messages = new ArrayList<>();
        if (words.isEmpty() || words.equals(List.of("-"))) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.isBlank()) {
                        messages.add(line);
                    }
                }
            }
        } else {
            messages.add(String.join(" ", words));
        }
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("nothing to send");
        }
        try (ParleyClient client = account.open("parley send")) {
            Duration timeout = Duration.ofSeconds(timeoutSeconds);
            String conv;
            try {
                conv = Targets.resolve(client, to, null); // from the local store when it holds the target
            } catch (IllegalArgumentException notHeldYet) {
                if (to.startsWith("@")) {
                    throw notHeldYet;
                }
                client.awaitCaughtUp(timeout); // a title this device has not seen: wait for the list
                conv = Targets.resolve(client, to, null);
            }
            SendOptions options = replyTo == null ? SendOptions.NONE : SendOptions.replyTo(replyTo);
            List<OutgoingMessage> sent = new ArrayList<>();
            for (String m : messages) {
                sent.add(client.send(conv, m, options));
            }
            if (!client.awaitOutboxEmpty(timeout)) {
                System.err.println("parley: " + client.outboxSize() + " message(s) still queued in "
                        + account.storeFile() + "; the next parley command for this account sends them");
                return 3;
            }
            for (OutgoingMessage o : sent) {
                ChatMessage stored = o.sent().join();
                System.out.println(stored.seq());
            }
        }
        return 0;
    }
}
