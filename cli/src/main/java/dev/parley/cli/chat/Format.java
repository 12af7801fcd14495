package dev.parley.cli.chat;

import dev.parley.client.ChatMessage;
import dev.parley.client.Tick;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.SystemAction;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** How messages look in the terminal. */
final class Format {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault());

    private Format() {
    }

    static String tick(Tick t) {
        return switch (t) {
            case PENDING -> "…";
            case SENT -> "✓";
            case DELIVERED -> "✓✓";
            case READ -> "✓✓ read";
            case FAILED -> "✗ not sent";
        };
    }

    /** {@code #12 10:31 bob: hello (edited) ✓✓  [👍 ann, cat]}; own messages carry their tick. */
    static String message(ChatMessage m, Names names, String me) {
        StringBuilder b = new StringBuilder();
        b.append(m.isPending() ? "#-" : "#" + m.seq()).append(' ')
                .append(TIME.format(Instant.ofEpochMilli(m.sentAtMs()))).append(' ');
        if (m.kind() == EntryKind.SYSTEM) {
            String who = m.system() == null || m.system().userIds() == null ? ""
                    : m.system().userIds().stream().map(names::of).collect(Collectors.joining(", "));
            SystemAction what = m.system() == null ? null : m.system().action();
            String action = what == null || what == SystemAction.UNKNOWN ? "changed" : what.wire();
            b.append("* ").append(names.of(m.senderId())).append(' ');
            if (what == SystemAction.RENAMED) {
                return b.append("renamed the group to \"").append(m.system().title()).append('"').toString();
            }
            Map<String, String> roles = m.system() == null || m.system().roles() == null ? Map.of() : m.system().roles();
            if (what == SystemAction.ROLE) {
                return b.append("made ").append(roles.entrySet().stream()
                        .map(e -> names.of(e.getKey()) + " " + e.getValue()).collect(Collectors.joining(", "))).toString();
            }
            b.append(action).append(' ').append(who);
            roles.keySet().forEach(u -> b.append("; ").append(names.of(u)).append(" is now owner"));
            return b.toString();
        }
        b.append(names.of(m.senderId())).append(": ");
        if (m.replyTo() != null) {
            b.append("(re #").append(m.replyTo()).append(") ");
        }
        if (m.deleted()) {
            b.append("(deleted)");
        } else if (m.undecryptable()) {
            b.append("(cannot be decrypted on this device)");
        } else {
            b.append(m.body() == null ? "" : m.body());
            if (!m.attachments().isEmpty()) {
                b.append(" [").append(m.attachments().size()).append(" attachment(s)]");
            }
            if (m.edited()) {
                b.append(" (edited)");
            }
        }
        if (me != null && me.equals(m.senderId())) {
            b.append("  ").append(tick(m.tick()));
        }
        if (!m.reactions().isEmpty()) {
            b.append("  [");
            b.append(m.reactions().entrySet().stream()
                    .map(e -> e.getKey() + " " + names(e.getValue(), names))
                    .collect(Collectors.joining("; ")));
            b.append(']');
        }
        return b.toString();
    }

    /** A conversation's title, or for a direct one the other members' handles. */
    static String title(dev.parley.client.ConversationInfo c, Names names, String me) {
        if (c.title() != null && !c.title().isBlank()) {
            return c.title();
        }
        List<String> others = c.members().stream().filter(m -> !m.equals(me)).map(m -> "@" + names.of(m)).toList();
        return others.isEmpty() ? c.conversationId() : String.join(", ", others);
    }

    private static String names(List<String> ids, Names names) {
        return ids.stream().map(names::of).collect(Collectors.joining(", "));
    }
}
