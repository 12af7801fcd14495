package dev.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.IntegrationConfig;
import dev.parley.server.config.OutboundConfig;
import dev.parley.server.config.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code parley admin} against a real node's admin API. */
class AdminCommandIT {
    static final String TOKEN = "op-cli-0123456789abcdef0123456789abcdef";
    @TempDir
    static Path data;
    static ParleyServer server;

    @BeforeAll
    static void start() {
        server = ParleyServer.start(ServerConfig.embedded(data, 0).withPassword(new ServerConfig.PasswordConfig(64, 1))
                .withIntegration(IntegrationConfig.defaults().withAdminToken(TOKEN))
                .withOutbound(OutboundConfig.defaults().withAllowedHosts(List.of("127.0.0.1:9"))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run parley(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("admin", "-s", "http://127.0.0.1:" + server.port(), "--token", TOKEN));
        all.addAll(List.of(args));
        int code = new CommandLine(new ParleyCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(all.toArray(String[]::new));
        return new Run(code, out.toString().strip(), err.toString().strip());
    }

    @Test
    void createsUsersOpensSessionsDisablesAndManagesWebhooks() throws Exception {
        Run created = parley("user", "create", "cliann", "--external-id", "crm-9", "--display-name", "Ann");
        assertThat(created.code()).as(created.err()).isZero();
        String userId = created.out();
        assertThat(userId).startsWith("usr_");
        assertThat(parley("user", "show", "--external-id", "crm-9").out()).contains(userId).contains("\"disabled\" : false");

        Run session = parley("user", "session", userId, "--device-name", "cli");
        assertThat(session.code()).isZero();
        String token = session.out();
        HttpClient http = HttpClient.newHttpClient();
        var me = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/me"))
                .header("Authorization", "Bearer " + token).build();
        assertThat(http.send(me, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        assertThat(parley("user", "disable", userId).out()).contains("\"disabled\" : true");
        assertThat(http.send(me, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        Run refused = parley("user", "session", userId);
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("403").contains("disabled");
        assertThat(parley("user", "enable", userId).code()).isZero();

        Run hook = parley("webhook", "add", "http://127.0.0.1:9/hooks", "--events", "message.created,user.created",
                "--secret", "cli-secret-0123456789");
        assertThat(hook.code()).as(hook.err()).isZero();
        assertThat(parley("webhook", "list").out()).contains(hook.out()).doesNotContain("cli-secret");
        assertThat(parley("webhook", "remove", hook.out()).code()).isZero();
        assertThat(parley("webhook", "remove", hook.out()).code()).isEqualTo(2);
        Run privateUrl = parley("webhook", "add", "https://10.0.0.1/h", "--events", "user.created", "--secret",
                "cli-secret-0123456789");
        assertThat(privateUrl.code()).isEqualTo(2);
        assertThat(privateUrl.err()).contains("400");
    }

    @Test
    void aWrongTokenIsReported() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new ParleyCommand()).setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err)).execute("admin", "-s", "http://127.0.0.1:" + server.port(), "--token",
                        "not-the-operator-token-0123456789abcdef", "webhook", "list");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("403");
    }
}
