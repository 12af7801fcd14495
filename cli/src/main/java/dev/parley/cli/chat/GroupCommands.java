package dev.parley.cli.chat;

import dev.parley.client.ConversationInfo;
import dev.parley.client.ParleyClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parley conversation leave|rename|role|members}: running a group from scripts. Refusals (a plain member
 * renaming, an admin demoting an owner) print the server's reason and exit with status 2.
 */
final class GroupCommands {
    private GroupCommands() {
    }

    @Command(name = "leave", mixinStandardHelpOptions = true,
            description = "Leaves a group (the last owner to leave hands it to the longest-standing admin, else member).")
    static final class Leave implements Callable<Integer> {
        @Mixin
        AccountOptions account;

        @Parameters(index = "0", paramLabel = "TARGET", description = "the conversation: an id or a title")
        String target;

        @Override
        public Integer call() {
            try (ParleyClient client = account.open("parley conversation")) {
                client.leave(Targets.resolve(client, target, null));
            }
            return 0;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true,
            description = "Renames a group (owners and admins).")
    static final class Rename implements Callable<Integer> {
        @Mixin
        AccountOptions account;

        @Parameters(index = "0", paramLabel = "TARGET", description = "the conversation: an id or a title")
        String target;

        @Parameters(index = "1", paramLabel = "TITLE", description = "the new title")
        String title;

        @Override
        public Integer call() {
            try (ParleyClient client = account.open("parley conversation")) {
                client.rename(Targets.resolve(client, target, null), title);
            }
            return 0;
        }
    }

    @Command(name = "role", mixinStandardHelpOptions = true,
            description = "Sets a member's role in a group: owner, admin or member.")
    static final class Role implements Callable<Integer> {
        @Mixin
        AccountOptions account;

        @Parameters(index = "0", paramLabel = "TARGET", description = "the conversation: an id or a title")
        String target;

        @Parameters(index = "1", paramLabel = "@HANDLE", description = "the member")
        String handle;

        @Parameters(index = "2", paramLabel = "ROLE", description = "owner, admin or member")
        String role;

        @Override
        public Integer call() {
            try (ParleyClient client = account.open("parley conversation")) {
                String userId = ConversationCommand.userIds(client, List.of(handle)).getFirst();
                client.setRole(Targets.resolve(client, target, null), userId, role);
            }
            return 0;
        }
    }

    @Command(name = "members", mixinStandardHelpOptions = true,
            description = "Prints a conversation's members, one '@handle role' a line (role '-' in a direct one).")
    static final class Members implements Callable<Integer> {
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
                client.awaitCaughtUp(Duration.ofSeconds(timeoutSeconds));
                String id = Targets.resolve(client, target, null);
                ConversationInfo c = client.conversation(id)
                        .orElseThrow(() -> new IllegalArgumentException("no conversation '" + target + "'"));
                for (String member : c.members()) {
                    String role = c.roles().isEmpty() ? "-" : c.roleOf(member);
                    System.out.println("@" + client.user(member).handle() + " " + role);
                }
            }
            return 0;
        }
    }
}
