package dev.parley.core;

import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.RateLimiter;
import dev.parley.core.port.ReportStore;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import java.time.Clock;
import java.util.List;

/**
 * Reporting a log entry to the operator ({@code POST /v1/reports}) and listing reports
 * ({@code GET /v1/admin/reports}). Only a member may report, only a message (text or media) that exists, is not
 * deleted and is visible to the reporting device. The report keeps a copy of the message's text as stored when
 * reported (edits are entries of their own and are reported by their own seq), so a later delete leaves the
 * evidence; for e2ee conversations it keeps none (the server holds only ciphertext).
 */
public final class ReportService {
    /** Reports a user may file: 20 at once, then one every 10 s. Lifted by {@code PARLEY_RATE_LIMITS=off}. */
    public static final RateBudgets.Budget REPORTS = new RateBudgets.Budget(0.1, 20);
    public static final int MAX_REASON = 1000;
    public static final int DEFAULT_PAGE = 50;
    public static final int MAX_PAGE = 200;

    private final ReportStore reports;
    private final MessageStore store;
    private final ChatService chat;
    private final RateLimiter limiter;
    private final RateBudgets budgets;
    private final IdGenerator ids;
    private final Clock clock;

    public ReportService(ReportStore reports, MessageStore store, ChatService chat, RateLimiter limiter,
                         RateBudgets budgets, IdGenerator ids, Clock clock) {
        this.reports = reports;
        this.store = store;
        this.chat = chat;
        this.limiter = limiter;
        this.budgets = budgets;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * Files a report.
     *
     * @return the new report's id
     * @throws ChatException {@code bad_request} for a missing or malformed field or a reason over
     *                       {@value #MAX_REASON} characters, or an entry that is not a message; {@code not_found}
     *                       for a conversation the caller is not a member of or an entry it cannot see;
     *                       {@code rate_limited} past {@link #REPORTS}
     */
    public String report(Caller caller, String conversationId, Long seq, String reason) {
        if (conversationId == null || conversationId.isBlank() || conversationId.length() > 64) {
            throw ChatException.badRequest("conversationId must be a conversation id");
        }
        if (seq == null || seq < 1) {
            throw ChatException.badRequest("seq must be a positive whole number");
        }
        if (reason == null || reason.isBlank() || reason.length() > MAX_REASON) {
            throw ChatException.badRequest("reason must be 1 to " + MAX_REASON + " characters");
        }
        if (!chat.isMember(conversationId, caller.userId())) {
            throw ChatException.notFound("conversation");
        }
        Message entry = store.entry(conversationId, seq)
                .filter(m -> EntryVisibility.visibleTo(m, caller.deviceId()))
                .filter(m -> !Boolean.TRUE.equals(m.deleted()))
                .orElseThrow(() -> ChatException.notFound("entry " + seq));
        if (!entry.kind().isMessage()) {
            throw ChatException.badRequest("only a text or media message can be reported");
        }
        if (budgets.enabled()) {
            long wait = limiter.tryAcquire("budget:reports:" + caller.userId(), REPORTS.perSecond(), REPORTS.burst());
            if (wait > 0) {
                throw new ChatException(ErrorCode.RATE_LIMITED, "reporting too fast", wait);
            }
        }
        boolean e2ee = store.findConversation(conversationId).map(Conversation::e2ee).orElse(true);
        Report report = new Report(ids.newId("rpt"), caller.userId(), conversationId, seq, entry.senderId(),
                entry.kind().wire(), e2ee ? null : entry.body(), reason.strip(), clock.millis());
        reports.add(report);
        return report.reportId();
    }

    /** A page of reports, newest first, and the {@code before} of the next page when there may be one. */
    public record Page(List<Report> reports, String nextBefore) {
    }

    /** Reports newest first; {@code before} is a report id from an earlier page. For the operator only. */
    public Page list(String before, Integer limit) {
        return page(reports, before, limit);
    }

    /**
     * A page of {@code reports}, newest first, at most {@value #MAX_PAGE} ({@value #DEFAULT_PAGE} by default).
     *
     * @throws ChatException {@code bad_request} for a malformed {@code before}
     */
    public static Page page(ReportStore reports, String before, Integer limit) {
        int n = limit == null ? DEFAULT_PAGE : Math.max(1, Math.min(limit, MAX_PAGE));
        if (before != null && (before.isBlank() || before.length() > 64)) {
            throw ChatException.badRequest("before must be a report id");
        }
        List<Report> page = reports.newest(before, n);
        return new Page(page, page.size() == n ? page.getLast().reportId() : null);
    }
}
