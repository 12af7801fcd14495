package dev.parley.cli.chat;

import dev.parley.client.ParleyClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The shape every {@code parley conversation} subcommand that acts on one conversation shares: the account
 * options, {@code TARGET} as the first parameter (an id, a group title or {@code @handle}, resolved from the local
 * store when the server cannot be reached), and a client opened for the one action.
 */
abstract class OnConversation implements Callable<Integer> {
    @Mixin
    AccountOptions account;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to wait for the server to catch up (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Parameters(index = "0", paramLabel = "TARGET", description = "the conversation: an id, a title or @handle")
    String target;

    /** Whether the action needs the conversation current first (an MLS commit must be built on the last epoch). */
    boolean catchUpFirst() {
        return false;
    }

    /** Does the action on the resolved conversation. */
    abstract void run(ParleyClient client, String conversationId) throws Exception;

    @Override
    public final Integer call() throws Exception {
        try (ParleyClient client = account.open("parley conversation")) {
            if (catchUpFirst()) {
                client.awaitCaughtUp(Duration.ofSeconds(timeoutSeconds));
            }
            run(client, Targets.resolve(client, target, null));
        }
        return 0;
    }
}
