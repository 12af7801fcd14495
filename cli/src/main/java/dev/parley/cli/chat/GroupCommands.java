package dev.parley.cli.chat;

import dev.parley.client.ConversationInfo;
import dev.parley.client.ParleyClient;
import java.util.List;
import picocli.CommandLine.Command;
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
    static final class Leave extends OnConversation {
        @Override
        void run(ParleyClient client, String conversationId) {
            client.leave(conversationId);
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true,
            description = "Renames a group (owners and admins).")
    static final class Rename extends OnConversation {
        @Parameters(index = "1", paramLabel = "TITLE", description = "the new title")
        String title;

        @Override
        void run(ParleyClient client, String conversationId) {
            client.rename(conversationId, title);
        }
    }

    @Command(name = "role", mixinStandardHelpOptions = true,
            description = "Sets a member's role in a group: owner, admin or member.")
    static final class Role extends OnConversation {
        @Parameters(index = "1", paramLabel = "@HANDLE", description = "the member")
        String handle;

        @Parameters(index = "2", paramLabel = "ROLE", description = "owner, admin or member")
        String role;

        @Override
        void run(ParleyClient client, String conversationId) {
            client.setRole(conversationId, ConversationCommand.userIds(client, List.of(handle)).getFirst(), role);
        }
    }

    @Command(name = "members", mixinStandardHelpOptions = true,
            description = "Prints a conversation's members, one '@handle role' a line (role '-' in a direct one).")
    static final class Members extends OnConversation {
        @Override
        boolean catchUpFirst() {
            return true;
        }

        @Override
        void run(ParleyClient client, String conversationId) {
            ConversationInfo c = client.conversation(conversationId)
                    .orElseThrow(() -> new IllegalArgumentException("no conversation '" + target + "'"));
            for (String member : c.members()) {
                String role = c.roles().isEmpty() ? "-" : c.roleOf(member);
                System.out.println("@" + client.user(member).handle() + " " + role);
            }
        }
    }
}
