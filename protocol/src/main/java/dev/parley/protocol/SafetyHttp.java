package dev.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Bodies of the blocking and reporting routes: {@code /v1/me/blocks}, {@code /v1/reports}, {@code /v1/admin/reports}. */
public final class SafetyHttp {
    private SafetyHttp() {
    }

    /** {@code GET /v1/me/blocks}: everyone the caller blocks, oldest first. */
    public record BlockList(List<BlockedUser> blocks) {
        public BlockList {
            blocks = List.copyOf(blocks);
        }
    }

    /** One blocked user; handle and display name are absent when the account no longer has them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BlockedUser(String userId, String handle, String displayName, long blockedAtMs) {
    }

    /** {@code POST /v1/reports}. */
    public record CreateReport(String conversationId, Long seq, String reason) {
    }

    /** The answer to {@code POST /v1/reports} ({@code 201}). */
    public record ReportCreated(String reportId) {
    }

    /**
     * One report for the operator. {@code text} is the entry's text when it was reported, absent for e2ee
     * conversations and entries without text.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReportView(String reportId, String reporterId, String conversationId, long seq, String senderId,
                             String kind, String text, String reason, long createdAtMs) {
    }

    /**
     * {@code GET /v1/admin/reports}: newest first; {@code nextBefore}, when present, is the {@code before} of the
     * next (older) page.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReportList(List<ReportView> reports, String nextBefore) {
        public ReportList {
            reports = List.copyOf(reports);
        }
    }
}
