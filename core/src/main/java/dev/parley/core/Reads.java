package dev.parley.core;

import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.MessageStore;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Reading a conversation's log and saying how far one has read it: {@code sync} and {@code history} pages (only
 * the entries the caller's device may see, {@link EntryVisibility}), and the delivered/read watermarks that
 * members see as {@code receipt} frames. Part of the chat core; reached through {@link ChatService}.
 */
final class Reads {
    private static final int DEFAULT_PAGE = 100;

    private final MessageStore store;
    private final EventBus bus;
    private final Limits limits;
    private final MemberCache members;
    private final BudgetMeter budgets;

    Reads(MessageStore store, EventBus bus, Limits limits, MemberCache members, BudgetMeter budgets) {
        this.store = store;
        this.bus = bus;
        this.limits = limits;
        this.members = members;
        this.budgets = budgets;
    }

    /**
     * Entries after {@code afterSeq} that the caller's device may see ({@link EntryVisibility}), for catching up;
     * each page is charged to the caller's reads budget. Entries the device may not see are skipped, not counted.
     */
    ChatService.Page sync(Caller caller, String conversationId, long afterSeq, Integer limit) {
        members.requireMember(caller, conversationId);
        budgets.take(RateBudgets.Name.READS, caller.userId());
        int n = pageSize(limit);
        return page(EntryVisibility.after(store, conversationId, afterSeq, n + 1, caller.deviceId()), n);
    }

    /**
     * {@link #sync}, answered from {@code cache} when it holds the page for the conversation's current {@code
     * lastSeq} (one point read instead of a page read), else read and encoded with {@code encode} and kept. The
     * same checks and budget as {@link #sync}. Only pages every member's device sees alike are kept (none with
     * an {@code mls-welcome}); a store that cannot vouch for its pages ({@link MessageStore#lastSeq} empty)
     * always reads.
     *
     * <p>A page read between two reads of {@code lastSeq} that agree was read at that {@code lastSeq} (any
     * change in between would have moved it); a page that is not full and ends at {@code lastSeq} shows that
     * by itself, so the second read is needed only for full pages.
     */
    <V> V sync(Caller caller, String conversationId, long afterSeq, Integer limit, PageCache<V> cache,
               BiFunction<List<Message>, Boolean, V> encode) {
        members.requireMember(caller, conversationId);
        budgets.take(RateBudgets.Name.READS, caller.userId());
        int n = pageSize(limit);
        OptionalLong at = store.lastSeq(conversationId);
        if (at.isPresent()) {
            V kept = cache.get(conversationId, afterSeq, n, at.getAsLong());
            if (kept != null) {
                return kept;
            }
        }
        List<Message> raw = store.entriesAfter(conversationId, afterSeq, n + 1);
        for (Message m : raw) {
            if (m.kind() == EntryKind.MLS_WELCOME) {
                ChatService.Page page = page(EntryVisibility.after(store, conversationId, afterSeq, n + 1,
                        caller.deviceId()), n);
                return encode.apply(page.messages(), page.hasMore());
            }
        }
        ChatService.Page page = page(raw, n);
        V encoded = encode.apply(page.messages(), page.hasMore());
        if (at.isPresent()) {
            long l = at.getAsLong();
            boolean endsThere = !page.hasMore() && !page.messages().isEmpty() && page.messages().getLast().seq() == l;
            if (endsThere || store.lastSeq(conversationId).equals(at)) {
                cache.put(conversationId, afterSeq, n, l, encoded);
            }
        }
        return encoded;
    }

    private static ChatService.Page page(List<Message> visible, int n) {
        boolean more = visible.size() > n;
        return new ChatService.Page(more ? visible.subList(0, n) : visible, more);
    }

    /**
     * History paging: after a seq (ascending) or, with {@code before}, the newest entries before it. Each
     * page is charged to the caller's reads budget.
     */
    ChatService.Page history(Caller caller, String conversationId, Long after, Long before, Integer limit) {
        if (before == null) {
            return sync(caller, conversationId, after == null ? 0 : after, limit);
        }
        members.requireMember(caller, conversationId);
        budgets.take(RateBudgets.Name.READS, caller.userId());
        int n = pageSize(limit);
        List<Message> page = EntryVisibility.before(store, conversationId, before, n + 1, caller.deviceId());
        boolean more = page.size() > n;
        List<Message> trimmed = more ? page.subList(page.size() - n, page.size()) : page;
        if (after != null) {
            trimmed = trimmed.stream().filter(m -> m.seq() > after).toList();
            more = more && !trimmed.isEmpty() && trimmed.getFirst().seq() > after + 1;
        }
        return new ChatService.Page(trimmed, more);
    }

    /** This device has everything up to {@code seq}; moves the member's delivered watermark. */
    CompletableFuture<Optional<Watermarks>> markDelivered(Caller caller, String conversationId, long seq) {
        return markWatermarks(caller, conversationId, seq, 0);
    }

    /** The user has read everything up to {@code seq}; moves read (and delivered) watermarks. */
    CompletableFuture<Optional<Watermarks>> markRead(Caller caller, String conversationId, long seq) {
        return markWatermarks(caller, conversationId, seq, seq);
    }

    /**
     * Moves both watermarks in one store write (a read implies delivered); gateways that coalesce
     * {@code read}/{@code delivered} frames send the highest of each here. Each write is charged to the
     * caller's {@code watermarks} budget; the members see one {@code receipt} if anything moved.
     *
     * @throws ChatException {@code rate_limited} (thrown, not in the future) when over the budget, so a
     *                       caller that coalesces can keep the watermark and try again later
     */
    CompletableFuture<Optional<Watermarks>> markWatermarks(Caller caller, String conversationId,
                                                                  long deliveredSeq, long readSeq) {
        members.requireMember(caller, conversationId);
        budgets.take(RateBudgets.Name.WATERMARKS, caller.userId());
        return moveWatermarks(conversationId, caller.userId(), Math.max(deliveredSeq, readSeq), readSeq);
    }

    private CompletableFuture<Optional<Watermarks>> moveWatermarks(String conversationId, String userId,
                                                                 long delivered, long read) {
        return store.moveWatermarks(conversationId, userId, delivered, read).thenApply(moved -> {
            moved.ifPresent(w -> bus.publish(EventBus.conversationTopic(conversationId), new BusEvent.ReceiptMoved(w)));
            return moved;
        });
    }

    private int pageSize(Integer limit) {
        if (limit == null) {
            return DEFAULT_PAGE;
        }
        return Math.max(1, Math.min(limit, limits.maxPageSize()));
    }
}
