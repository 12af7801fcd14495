package dev.parley.cli.chat;

import dev.parley.client.ConversationInfo;
import dev.parley.client.ParleyClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parley conversation create|add|remove|leave|rename|role|members|verify}: conversations, their members and their
 * roles, from scripts.
 */
@Command(name = "conversation", mixinStandardHelpOptions = true,
        description = {"Creates conversations, changes their members, titles and roles.", "",
            "In a group, owners and admins add and remove members, rename it and set roles; an owner acts on admins "
                + "and members, an admin on members (docs/security.md, \"Group roles\"). Anyone may leave.", "",
            "In an end-to-end encrypted conversation (--e2ee) every change of members is an MLS Commit made by "
                + "this device: adding a user adds every one of their devices (each joins from a Welcome), removing "
                + "one removes all of them, and from then on they cannot read what is said.", ""},
        subcommands = {ConversationCommand.Create.class, ConversationCommand.Add.class, ConversationCommand.Remove.class,
            GroupCommands.Leave.class, GroupCommands.Rename.class, GroupCommands.Role.class,
            GroupCommands.Members.class, VerifyCommand.class},
        footer = {"", "Examples:",
            "  parley conversation create -u alice --e2ee --title plans @bob @carol     (prints the id)",
            "  parley conversation add -u alice plans @dave",
            "  parley conversation remove -u alice cnv_01h... @bob",
            "  parley conversation rename -u alice plans \"Summer plans\"",
            "  parley conversation role -u alice \"Summer plans\" @carol admin",
            "  parley conversation members -u alice \"Summer plans\"",
            "  parley conversation leave -u bob \"Summer plans\"",
            "  parley conversation verify -u alice plans      (epoch and safety number, e2ee)"})
public final class ConversationCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static List<String> userIds(ParleyClient client, List<String> handles) {
        List<String> ids = new ArrayList<>();
        for (String h : handles) {
            String handle = h.startsWith("@") ? h.substring(1) : h;
            ids.add(client.findUser(handle).orElseThrow(() -> new IllegalArgumentException("no user '" + handle + "'"))
                    .userId());
        }
        return ids;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a conversation with the users named and prints its id alone on a line.")
    static final class Create implements Callable<Integer> {
        @Mixin
        AccountOptions account;

        @Option(names = "--e2ee", description = "end-to-end encrypted (MLS): the server never sees what is said")
        boolean e2ee;

        @Option(names = "--title", paramLabel = "TITLE", description = "the group's title")
        String title;

        @Parameters(arity = "1..*", paramLabel = "@HANDLE", description = "the other members")
        List<String> handles;

        @Override
        public Integer call() {
            try (ParleyClient client = account.open("parley conversation")) {
                List<String> ids = userIds(client, handles);
                ConversationInfo c;
                if (e2ee) {
                    c = client.createE2eeGroup(title, ids);
                } else if (title == null && ids.size() == 1) {
                    c = client.openDirect(ids.get(0));
                } else {
                    c = client.createGroup(title, ids);
                }
                System.out.println(c.conversationId());
            }
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Adds users to a conversation (in an e2ee one: every device of each, by an MLS Commit).")
    static final class Add extends OnConversation {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "@HANDLE", description = "the users to add")
        List<String> handles;

        @Override
        boolean catchUpFirst() {
            return true; // the group must be current to commit
        }

        @Override
        void run(ParleyClient client, String conversationId) {
            client.addMembers(conversationId, userIds(client, handles));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Removes users from a conversation (in an e2ee one: every device of each, by an MLS Commit).")
    static final class Remove extends OnConversation {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "@HANDLE", description = "the users to remove")
        List<String> handles;

        @Override
        boolean catchUpFirst() {
            return true;
        }

        @Override
        void run(ParleyClient client, String conversationId) {
            client.removeMembers(conversationId, userIds(client, handles));
        }
    }
}
