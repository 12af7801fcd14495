package dev.parley.server.integration;

import dev.parley.core.ChatException;
import dev.parley.core.Report;
import dev.parley.core.ReportService;
import dev.parley.core.port.ReportStore;
import dev.parley.protocol.SafetyHttp;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.integration.JsonRoutes.Reply;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /v1/admin/reports?before=<reportId>&limit=<n>}: the reports members filed, newest first, for the
 * operator. Mounted after {@link AdminApi}, whose guard on {@code /v1/admin/*} admits only the operator token.
 */
final class AdminReportsApi implements HttpApi.RouteModule {
    private final ReportStore reports;
    private final JsonRoutes routes;

    AdminReportsApi(ReportStore reports, JsonRoutes routes) {
        this.reports = reports;
        this.routes = routes;
    }

    @Override
    public void mount(Router router) {
        router.get("/v1/admin/reports").handler(routes.handler(rc -> {
            ReportService.Page page = ReportService.page(reports, single(rc, "before"), limit(rc));
            return new Reply(200, new SafetyHttp.ReportList(page.reports().stream().map(AdminReportsApi::view).toList(),
                    page.nextBefore()));
        }));
    }

    static SafetyHttp.ReportView view(Report r) {
        return new SafetyHttp.ReportView(r.reportId(), r.reporterId(), r.conversationId(), r.seq(), r.senderId(),
                r.kind(), r.text(), r.reason(), r.createdAtMs());
    }

    private static String single(RoutingContext rc, String name) {
        List<String> all = rc.queryParam(name);
        if (all.size() > 1) {
            throw ChatException.badRequest(name + " is given more than once");
        }
        return all.isEmpty() || all.get(0).isEmpty() ? null : all.get(0);
    }

    private static Integer limit(RoutingContext rc) {
        String raw = single(rc, "limit");
        if (raw == null) {
            return null;
        }
        try {
            return Integer.valueOf(raw);
        } catch (NumberFormatException e) {
            throw ChatException.badRequest("limit must be a whole number");
        }
    }
}
