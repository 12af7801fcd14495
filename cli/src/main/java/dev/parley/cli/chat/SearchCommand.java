package dev.parley.cli.chat;

import dev.parley.client.ParleyClient;
import dev.parley.protocol.Http;
import dev.parley.protocol.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code parley search}: finds messages by their words on the server. */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Finds messages containing every word given (the last one also as a prefix), best match "
                + "first, in your conversations; end-to-end encrypted conversations are never searched (the server "
                + "cannot read them). Needs the server.", ""},
        footer = {"", "Exit codes: 0 found something, 1 found nothing, 2 error.", "",
            "Examples:",
            "  parley search -u alice quarterly report",
            "  parley search -u alice -c @bob --json lunch | jq .seq"})
public final class SearchCommand implements Callable<Integer> {
    @Mixin
    AccountOptions account;

    @Option(names = {"-c", "--conversation"}, paramLabel = "TARGET",
            description = "only this conversation: an id, a group title, or @handle")
    String conversation;

    @Option(names = {"-n", "--limit"}, defaultValue = "20", paramLabel = "N",
            description = "most results to print, 1 to 100 (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--json", description = "print each result as JSON, one per line")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to wait for the conversation list when -c names a title (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Parameters(arity = "1..*", paramLabel = "WORD", description = "the words to look for")
    List<String> words = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        try (ParleyClient client = account.open("parley search")) {
            String only = null;
            if (conversation != null) {
                try {
                    only = Targets.resolve(client, conversation, null);
                } catch (IllegalArgumentException notHeldYet) {
                    if (conversation.startsWith("@")) {
                        throw notHeldYet;
                    }
                    client.awaitCaughtUp(Duration.ofSeconds(timeoutSeconds));
                    only = Targets.resolve(client, conversation, null);
                }
            }
            List<Http.SearchResult> found = client.search(String.join(" ", words), only, limit);
            Names names = new Names(client);
            String me = client.userId().orElse(null);
            for (Http.SearchResult r : found) {
                if (json) {
                    System.out.println(Json.encode(r));
                } else {
                    System.out.println(SafetyCommands.line(client, names, me, r));
                }
            }
            return found.isEmpty() ? 1 : 0;
        }
    }
}
