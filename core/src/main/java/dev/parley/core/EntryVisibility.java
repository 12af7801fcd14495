package dev.parley.core;

import dev.parley.core.port.MessageStore;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * Up to {@code want} entries after {@code afterSeq} that the device may see, ascending: reads pages of
     * {@code want} and skips hidden entries, so a run of others' welcomes never makes a page short.
     */
    public static List<Message> after(MessageStore store, String conversationId, long afterSeq, int want,
                                      String deviceId) {
        List<Message> visible = new ArrayList<>();
        long cursor = afterSeq;
        while (true) {
            List<Message> raw = store.entriesAfter(conversationId, cursor, want);
            for (Message m : raw) {
                if (visibleTo(m, deviceId) && visible.size() < want) {
                    visible.add(m);
                }
            }
            if (raw.size() < want || visible.size() >= want) {
                return visible;
            }
            cursor = raw.getLast().seq();
        }
    }

    /** Up to {@code want} of the newest entries before {@code beforeSeq} that the device may see, ascending. */
    public static List<Message> before(MessageStore store, String conversationId, long beforeSeq, int want,
                                       String deviceId) {
        List<Message> visible = new ArrayList<>();
        long cursor = beforeSeq;
        while (true) {
            List<Message> raw = store.entriesBefore(conversationId, cursor, want);
            List<Message> shown = raw.stream().filter(m -> visibleTo(m, deviceId)).toList();
            visible.addAll(0, shown.subList(Math.max(0, shown.size() - (want - visible.size())), shown.size()));
            if (raw.size() < want || visible.size() >= want) {
                return visible;
            }
            cursor = raw.getFirst().seq();
        }
    }
}
