package dev.parley.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parley admin}: the operator's API of a running server (docs/integration.md), with the operator token
 * from {@code PARLEY_ADMIN_TOKEN} (or {@code --token}). Each command prints the one value a script needs
 * (an id, a token) or the JSON answer, and exits 0; an error answer is printed to stderr with exit code 2.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = {"The operator's API of a running server: users, sessions, webhooks, reports.", ""},
        footer = {"", "Examples:",
            "  export PARLEY_ADMIN_TOKEN=...",
            "  parley admin -s https://chat.example.com user create ann --external-id crm-1",
            "  parley admin user session usr_01h... --device-name 'ann web'",
            "  parley admin user disable usr_01h...",
            "  parley admin webhook add https://hooks.example.com/parley --events message.created,user.created --secret $S",
            "  parley admin webhook list",
            "  parley admin reports --limit 20"},
        subcommands = {AdminCommand.User.class, AdminCommand.Webhook.class, AdminCommand.Reports.class})
public final class AdminCommand {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-s", "--server"}, paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "the server (default ${DEFAULT-VALUE})")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", description = "the operator token (default: $PARLEY_ADMIN_TOKEN)")
    String token;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Calls the admin API; prints an error answer and returns null when it is not 2xx. */
    JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        String t = token != null ? token : System.getenv("PARLEY_ADMIN_TOKEN");
        if (t == null || t.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "the operator token is needed: set PARLEY_ADMIN_TOKEN or give --token");
        }
        var request = HttpRequest.newBuilder(URI.create(server.replaceAll("/+$", "") + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + t)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(Json.encodeBytes(body)));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body() == null || r.body().isEmpty() ? Json.mapper().missingNode()
                : Json.mapper().readTree(r.body());
        if (r.statusCode() / 100 != 2) {
            spec.commandLine().getErr().println("error " + r.statusCode() + ": "
                    + json.path("error").path("message").asText(r.body()));
            return null;
        }
        return json;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    static ObjectNode object() {
        return Json.mapper().createObjectNode();
    }

    @Command(name = "user", mixinStandardHelpOptions = true, description = "Users managed by the operator.",
            subcommands = {UserCreate.class, UserDisable.class, UserEnable.class, UserSession.class, UserShow.class})
    static final class User {
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Creates a user without a password; prints its userId.")
    static final class UserCreate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "HANDLE")
        String handle;
        @Option(names = "--external-id", paramLabel = "ID", description = "the host product's id for the user")
        String externalId;
        @Option(names = "--display-name", paramLabel = "NAME")
        String displayName;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object().put("handle", handle);
            if (externalId != null) {
                body.put("externalId", externalId);
            }
            if (displayName != null) {
                body.put("displayName", displayName);
            }
            return print(admin(spec), admin(spec).call("POST", "/v1/admin/users", body), "userId");
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Disables a user: every session is revoked, new ones are refused.")
    static final class UserDisable implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "USER_ID")
        String userId;

        @Override
        public Integer call() throws Exception {
            return print(admin(spec), admin(spec).call("PATCH", "/v1/admin/users/" + enc(userId),
                    object().put("disabled", true)), null);
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Lets a disabled user sign in again.")
    static final class UserEnable implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "USER_ID")
        String userId;

        @Override
        public Integer call() throws Exception {
            return print(admin(spec), admin(spec).call("PATCH", "/v1/admin/users/" + enc(userId),
                    object().put("disabled", false)), null);
        }
    }

    @Command(name = "session", mixinStandardHelpOptions = true,
            description = "Opens a session for a user; prints its token (hand it to the user's app).")
    static final class UserSession implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "USER_ID")
        String userId;
        @Option(names = "--device-name", paramLabel = "NAME")
        String deviceName;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object();
            if (deviceName != null) {
                body.put("deviceName", deviceName);
            }
            return print(admin(spec), admin(spec).call("POST", "/v1/admin/users/" + enc(userId) + "/sessions", body),
                    "token");
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows a user (by userId or --external-id).")
    static final class UserShow implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "USER_ID", arity = "0..1")
        String userId;
        @Option(names = "--external-id", paramLabel = "ID")
        String externalId;

        @Override
        public Integer call() throws Exception {
            String path = externalId != null ? "/v1/admin/users?externalId=" + enc(externalId)
                    : "/v1/admin/users/" + enc(userId == null ? "" : userId);
            return print(admin(spec), admin(spec).call("GET", path, null), null);
        }
    }

    @Command(name = "webhook", mixinStandardHelpOptions = true, description = "Webhooks.",
            subcommands = {WebhookAdd.class, WebhookList.class, WebhookRemove.class})
    static final class Webhook {
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Registers a webhook; prints its id.")
    static final class WebhookAdd implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "URL")
        String url;
        @Option(names = "--events", required = true, split = ",", paramLabel = "TYPE",
                description = "message.created, message.edited, message.deleted, conversation.created, member.added, "
                        + "member.removed, user.created")
        List<String> events;
        @Option(names = "--secret", required = true, paramLabel = "SECRET", description = "signs every delivery")
        String secret;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object().put("url", url).put("secret", secret);
            events.forEach(body.putArray("events")::add);
            return print(admin(spec), admin(spec).call("POST", "/v1/admin/webhooks", body), "webhookId");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the webhooks (JSON).")
    static final class WebhookList implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            return print(admin(spec), admin(spec).call("GET", "/v1/admin/webhooks", null), null);
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a webhook.")
    static final class WebhookRemove implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(paramLabel = "WEBHOOK_ID")
        String webhookId;

        @Override
        public Integer call() throws Exception {
            JsonNode r = admin(spec).call("DELETE", "/v1/admin/webhooks/" + enc(webhookId), null);
            return r == null ? 2 : 0;
        }
    }

    @Command(name = "reports", mixinStandardHelpOptions = true,
            description = "Lists reports of messages, newest first (JSON: {reports: [...], nextBefore}).")
    static final class Reports implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "reports per page, 1 to 200 (default 50)")
        Integer limit;

        @Option(names = "--before", paramLabel = "REPORT_ID", description = "the page after this one (its nextBefore)")
        String before;

        @Override
        public Integer call() throws Exception {
            String query = (limit == null ? "" : "&limit=" + limit) + (before == null ? "" : "&before=" + enc(before));
            String path = "/v1/admin/reports" + (query.isEmpty() ? "" : "?" + query.substring(1));
            return print(admin(spec), admin(spec).call("GET", path, null), null);
        }
    }

    /** The {@code admin} command above a subcommand. */
    static AdminCommand admin(CommandLine.Model.CommandSpec spec) {
        for (CommandLine c = spec.commandLine().getParent(); c != null; c = c.getParent()) {
            if (c.getCommand() instanceof AdminCommand a) {
                return a;
            }
        }
        throw new IllegalStateException("not under parley admin");
    }

    /** Prints {@code field} alone (for scripts), or the whole answer as JSON; 2 for an error answer. */
    static int print(AdminCommand admin, JsonNode answer, String field) throws IOException {
        if (answer == null) {
            return 2;
        }
        admin.out().println(field != null ? answer.path(field).asText()
                : Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        admin.out().flush();
        return 0;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
