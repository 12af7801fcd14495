package dev.parley.core;

import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;

/**
 * Which devices may see a log entry: every member's device sees every entry, except an {@code mls-welcome},
 * which only its recipient devices see (live, sync and history alike). Gateways call it on fan-out; the core
 * applies it to sync and history pages.
 */
public final class EntryVisibility {
    private EntryVisibility() {
    }

    /** Whether the device {@code deviceId} of a member may receive {@code entry}. */
    public static boolean visibleTo(Message entry, String deviceId) {
        return entry.kind() != EntryKind.MLS_WELCOME
                || (entry.recipients() != null && entry.recipients().contains(deviceId));
    }
}
