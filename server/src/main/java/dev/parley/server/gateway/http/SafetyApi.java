package dev.parley.server.gateway.http;

import static dev.parley.server.gateway.http.JsonBody.object;
import static dev.parley.server.gateway.http.JsonBody.optionalText;
import static dev.parley.server.gateway.http.JsonBody.optionalWhole;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.core.AccountService;
import dev.parley.core.BlockService;
import dev.parley.core.ReportService;
import dev.parley.protocol.SafetyHttp;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.concurrent.ExecutorService;

/**
 * Blocking and reporting for users: {@code PUT} and {@code DELETE /v1/me/blocks/{userId}} (idempotent, 204),
 * {@code GET /v1/me/blocks}, and {@code POST /v1/reports} {conversationId, seq, reason} → {@code 201 {reportId}}.
 * The operator lists reports at {@code GET /v1/admin/reports} (integration module).
 */
public final class SafetyApi implements HttpApi.RouteModule {
    private final BlockService blocks;
    private final ReportService reports;
    private final BlockingJsonRoute route;
    private final int maxBodyBytes;

    public SafetyApi(BlockService blocks, ReportService reports, AccountService accounts, ExecutorService blocking,
                     int maxBodyBytes) {
        this.blocks = blocks;
        this.reports = reports;
        this.route = new BlockingJsonRoute(accounts, blocking);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void mount(Router router) {
        router.put("/v1/me/blocks/:userId").handler(route.handler(204, (rc, caller) -> {
            blocks.block(caller, rc.pathParam("userId"));
            return null;
        }));
        router.delete("/v1/me/blocks/:userId").handler(route.handler(204, (rc, caller) -> {
            blocks.unblock(caller, rc.pathParam("userId"));
            return null;
        }));
        router.get("/v1/me/blocks").handler(route.handler(200, (rc, caller) ->
                new SafetyHttp.BlockList(blocks.list(caller).stream().map(b -> new SafetyHttp.BlockedUser(b.userId(),
                        b.handle(), b.displayName(), b.blockedAtMs())).toList())));
        router.post("/v1/reports").handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(route.handler(201, (rc, caller) -> {
                    JsonNode o = object(rc);
                    return new SafetyHttp.ReportCreated(reports.report(caller, optionalText(o, "conversationId"),
                            optionalWhole(o, "seq"), optionalText(o, "reason")));
                }));
    }
}
