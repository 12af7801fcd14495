package dev.parley.core;

import dev.parley.core.port.MessageStore;
import dev.parley.core.port.RateLimiter;
import dev.parley.core.port.SearchIndex;
import dev.parley.protocol.ErrorCode;
import java.util.List;

/**
 * Searching one's messages: only conversations the caller is a member of, never e2ee ones, within a budget (a
 * search reads far more than a history page). Asking for a conversation the caller is not in answers
 * {@code not_found}, as every other conversation route does, so a search tells a stranger nothing.
 */
public final class SearchService {
    /**
     * Searches one user may run: 30 at once (typing into a search box fires one per pause), then five a second.
     * Lifted with every other budget by {@code PARLEY_RATE_LIMITS=off}.
     */
    public static final RateBudgets.Budget SEARCHES = new RateBudgets.Budget(5, 30);
    /** Hits returned when the caller names no limit. */
    public static final int DEFAULT_LIMIT = 20;

    private final SearchIndex index;
    private final MessageStore store;
    private final RateLimiter limiter;
    private final RateBudgets budgets;

    public SearchService(SearchIndex index, MessageStore store, RateLimiter limiter, RateBudgets budgets) {
        this.index = index;
        this.store = store;
        this.limiter = limiter;
        this.budgets = budgets;
    }

    /**
     * Runs a search for the caller.
     *
     * @param conversationId only this conversation, or null for all of the caller's
     * @param limit          at most this many hits, or null for {@value #DEFAULT_LIMIT}
     * @throws ChatException {@code bad_request} for an unusable query or limit, {@code not_found} for a
     *                       conversation the caller is not a member of, {@code rate_limited} past the budget
     */
    public List<SearchHit> search(Caller caller, String text, String conversationId, Integer limit) {
        SearchQuery query = SearchQuery.parse(text);
        int n = limit == null ? DEFAULT_LIMIT : limit;
        if (n < 1 || n > SearchQuery.MAX_LIMIT) {
            throw ChatException.badRequest("limit must be 1 to " + SearchQuery.MAX_LIMIT);
        }
        if (conversationId != null) {
            Conversation c = store.findConversation(conversationId)
                    .filter(x -> x.members().contains(caller.userId()))
                    .orElseThrow(() -> ChatException.notFound("conversation"));
            if (c.e2ee()) {
                return List.of(); // the server cannot read it, so it has nothing to find
            }
        }
        if (budgets.enabled()) {
            long wait = limiter.tryAcquire("budget:searches:" + caller.userId(), SEARCHES.perSecond(), SEARCHES.burst());
            if (wait > 0) {
                throw new ChatException(ErrorCode.RATE_LIMITED, "too many searches", wait);
            }
        }
        return index.search(caller.userId(), query, conversationId, n);
    }
}
