package dev.parley.cli.chat;

import dev.parley.client.ParleyClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code parley chat}: the interactive terminal client. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chats in the terminal (interactive).", "",
            "Lists conversations with unread counts; opens one; sends, scrolls back, reacts, edits and deletes; "
                + "shows typing, presence and delivery ticks (… pending, ✓ sent, ✓✓ delivered, ✓✓ read). "
                + "Works offline: messages typed without a connection are kept on disk and sent when it is back, "
                + "even after a restart.", ""},
        footer = {"", "Inside the chat, type /help for commands.", "",
            "Examples:",
            "  parley chat --user alice --sign-up     first time: create the account",
            "  parley chat --user alice               later: the session is remembered",
            "  PARLEY_URL=http://chat.example:8080 parley chat -u bob"})
public final class ChatCommand implements Callable<Integer> {

    @Mixin
    AccountOptions account;

    @Override
    public Integer call() throws Exception {
        try (ParleyClient client = account.open("parley chat")) {
            ChatSession session = new ChatSession(client,
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out);
            client.addListener(session);
            session.run();
        }
        return 0;
    }
}
