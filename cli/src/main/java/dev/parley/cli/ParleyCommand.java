package dev.parley.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code parley} command: one entry point for the server and the tools around it. */
@Command(name = "parley", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Parley: a self-hostable real-time messaging platform.", ""},
        subcommands = {ServerCommand.class, dev.parley.cli.chat.ChatCommand.class, dev.parley.cli.chat.SendCommand.class, dev.parley.cli.chat.TailCommand.class, dev.parley.cli.chat.SearchCommand.class, dev.parley.cli.chat.ConversationCommand.class, BenchCommand.class, AdminCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'parley <command> --help' for the options of a command.",
                "Docs: README.md, docs/protocol.md"})
public final class ParleyCommand implements Runnable {

    /** The system property {@code logback.xml} reads for where the console log goes. */
    static final String LOG_TARGET = "parley.log.target";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Where log lines go: standard output for {@code parley server} (its log is its output), standard error for
     * every other command, whose standard output is what it prints ({@code tail --json} must be JSON only).
     */
    static String logTarget(String[] args) {
        for (String a : args) {
            if (!a.startsWith("-")) {
                return a.equals("server") ? "System.out" : "System.err";
            }
        }
        return "System.err";
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // Before anything logs: only the server's log belongs on standard output.
        System.setProperty(LOG_TARGET, logTarget(args));
        int code = new CommandLine(new ParleyCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    cmd.getErr().println("parley: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
                    if (System.getenv("PARLEY_DEBUG") != null) {
                        ex.printStackTrace(cmd.getErr());
                    }
                    return 2;
                })
                .execute(args);
        if (code != 0 || !ServerCommand.isServing()) {
            System.exit(code);
        }
    }
}
