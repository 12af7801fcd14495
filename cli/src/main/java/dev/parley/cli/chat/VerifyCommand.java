package dev.parley.cli.chat;

import dev.parley.client.ParleyClient;
import dev.parley.client.SafetyNumber;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parley conversation verify TARGET}: the e2ee group's current epoch and safety number (its RFC 9420 epoch
 * authenticator as 30 digits, {@link SafetyNumber}), for two members to compare out of band.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Prints the epoch and safety number of an end-to-end encrypted conversation.", "",
            "Every member's device shows the same number in the same epoch; compare it in person or over another "
                + "channel. It changes whenever the members or their keys change (a new epoch): compare again then. "
                + "The web client shows the same digits (docs/e2ee.md, \"Verifying a contact\").", "",
            "Output: a line \"epoch N\", a line \"safety-number DDDDD DDDDD DDDDD DDDDD DDDDD DDDDD\" and a line "
                + "\"authenticator HEX\"."})
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    AccountOptions account;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to wait for the server (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Parameters(index = "0", paramLabel = "TARGET", description = "the conversation: an id, a title or @handle")
    String target;

    @Override
    public Integer call() throws Exception {
        try (ParleyClient client = account.open("parley conversation")) {
            client.awaitCaughtUp(Duration.ofSeconds(timeoutSeconds)); // the number of the latest epoch
            String conv = Targets.resolve(client, target, null);
            String authenticator = client.e2eeAuthenticator(conv).orElseThrow(() -> new IllegalStateException(
                    "this device is not in the encrypted group of " + target + " (not e2ee, or not added yet)"));
            System.out.println("epoch " + client.e2eeEpoch(conv).orElseThrow());
            System.out.println("safety-number " + SafetyNumber.of(HexFormat.of().parseHex(authenticator)));
            System.out.println("authenticator " + authenticator);
        }
        return 0;
    }
}
