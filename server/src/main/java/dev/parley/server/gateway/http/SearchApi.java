package dev.parley.server.gateway.http;

import dev.parley.core.AccountService;
import dev.parley.core.ChatException;
import dev.parley.core.SearchHit;
import dev.parley.core.SearchService;
import dev.parley.protocol.Http;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * {@code GET /v1/search?q=<words>&conversationId=<id>&limit=<n>}: the caller's messages containing the words, best
 * match first, as {@code {results: [{conversationId, seq, senderId, sentAtMs, snippet}]}}.
 */
public final class SearchApi implements HttpApi.RouteModule {
    private final SearchService search;
    private final BlockingJsonRoute route;

    public SearchApi(SearchService search, AccountService accounts, ExecutorService blocking) {
        this.search = search;
        this.route = new BlockingJsonRoute(accounts, blocking);
    }

    @Override
    public void mount(Router router) {
        router.get("/v1/search").handler(route.handler(200, (rc, caller) -> {
            List<SearchHit> hits = search.search(caller, single(rc, "q"), single(rc, "conversationId"), limit(rc));
            return new Http.SearchResults(hits.stream().map(h -> new Http.SearchResult(h.conversationId(), h.seq(),
                    h.senderId(), h.sentAtMs(), h.snippet())).toList());
        }));
    }

    /** A query parameter given at most once (a repeated one is ambiguous, so refused). */
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
