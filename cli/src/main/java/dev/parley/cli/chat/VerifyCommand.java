package dev.parley.cli.chat;

import dev.parley.client.ParleyClient;
import dev.parley.client.SafetyNumber;
import java.util.HexFormat;
import picocli.CommandLine.Command;

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
final class VerifyCommand extends OnConversation {
    @Override
    boolean catchUpFirst() {
        return true; // the number of the latest epoch
    }

    @Override
    void run(ParleyClient client, String conv) {
        String authenticator = client.e2eeAuthenticator(conv).orElseThrow(() -> new IllegalStateException(
                "this device is not in the encrypted group of " + target + " (not e2ee, or not added yet)"));
        System.out.println("epoch " + client.e2eeEpoch(conv).orElseThrow());
        System.out.println("safety-number " + SafetyNumber.of(HexFormat.of().parseHex(authenticator)));
        System.out.println("authenticator " + authenticator);
    }
}
