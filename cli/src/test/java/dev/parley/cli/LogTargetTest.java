package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * Only {@code parley server} logs to standard output: every other command's standard output is what it prints
 * (a log line in {@code tail --json} output broke a JSON reader once), so its log goes to standard error.
 */
class LogTargetTest {

    @Test
    void theServerLogsToStandardOutputAndEveryOtherCommandToStandardError() {
        assertThat(ParleyCommand.logTarget(new String[] {"server", "--port", "8080"})).isEqualTo("System.out");
        assertThat(ParleyCommand.logTarget(new String[] {"tail", "-c", "cnv_1", "--json"})).isEqualTo("System.err");
        assertThat(ParleyCommand.logTarget(new String[] {"bench", "fanout"})).isEqualTo("System.err");
        assertThat(ParleyCommand.logTarget(new String[] {"--help"})).isEqualTo("System.err");
        assertThat(ParleyCommand.logTarget(new String[0])).isEqualTo("System.err");
        assertThat(ParleyCommand.logTarget(new String[] {"send", "server"})).as("only the command word counts")
                .isEqualTo("System.err");
    }

    @Test
    void theShippedLogConfigurationFollowsTheTarget() throws Exception {
        assertThat(consoleTarget(null)).isEqualTo("System.out");
        assertThat(consoleTarget("System.err")).isEqualTo("System.err");
        assertThat(consoleTarget("System.out")).isEqualTo("System.out");
    }

    /** The console appender's target after configuring a fresh context from the jar's {@code logback.xml}. */
    private static String consoleTarget(String property) throws Exception {
        URL config = LogTargetTest.class.getClassLoader().getResource("logback.xml");
        assertThat(config).as("logback.xml on the classpath").isNotNull();
        LoggerContext context = new LoggerContext();
        try {
            if (property != null) {
                context.putProperty(ParleyCommand.LOG_TARGET, property);
            }
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(config);
            Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            ConsoleAppender<?> console = (ConsoleAppender<?>) root.getAppender("STDOUT");
            assertThat(console).isNotNull();
            return console.getTarget();
        } finally {
            context.stop();
        }
    }
}
