package dev.parley.core.event;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.parley.core.Watermarks;
import dev.parley.protocol.Message;
import dev.parley.protocol.TypingState;
import java.util.List;

/**
 * What travels on the {@link dev.parley.core.port.EventBus}: small notifications published after
 * commit. Each carries enough for a gateway to write frames without another store read, except
 * membership changes, for which the gateway loads the member's view.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "e")
@JsonSubTypes({
    @JsonSubTypes.Type(value = BusEvent.EntryAdded.class, name = "entry"),
    @JsonSubTypes.Type(value = BusEvent.ReceiptMoved.class, name = "receipt"),
    @JsonSubTypes.Type(value = BusEvent.Typing.class, name = "typing"),
    @JsonSubTypes.Type(value = BusEvent.PresenceChanged.class, name = "presence"),
    @JsonSubTypes.Type(value = BusEvent.MembershipChanged.class, name = "membership"),
    @JsonSubTypes.Type(value = BusEvent.DeviceRevoked.class, name = "revoked"),
    @JsonSubTypes.Type(value = BusEvent.PushSubscribed.class, name = "push-subscribed"),
    @JsonSubTypes.Type(value = BusEvent.BlocksChanged.class, name = "blocks"),
})
public sealed interface BusEvent {

    /** A new log entry was committed. Published on the conversation topic. */
    record EntryAdded(Message entry) implements BusEvent {
    }

    /** A member's watermarks moved. Published on the conversation topic. */
    record ReceiptMoved(Watermarks watermarks) implements BusEvent {
    }

    /** A member started or stopped typing. Published on the conversation topic. */
    record Typing(String conversationId, String userId, TypingState state) implements BusEvent {
    }

    /** A user came online or went offline. Published on each of their conversations' topics. */
    record PresenceChanged(String userId, boolean online, Long lastSeenMs) implements BusEvent {
    }

    /**
     * A conversation was created or its members changed. Published on the user topic of every member
     * added or removed, and on the conversation topic.
     */
    record MembershipChanged(String conversationId, List<String> added, List<String> removed) implements BusEvent {
    }

    /** A session was revoked: sockets opened with it must close (4401). Published on the user topic. */
    record DeviceRevoked(String userId, String deviceId) implements BusEvent {
    }

    /**
     * A device is registering a push subscription: every node adds it to its in-memory table of devices that
     * may hold one ({@code core.push.PushSubscribers}). Published on {@link #PUSH_TOPIC}, before the store
     * write and again after it.
     */
    record PushSubscribed(String userId, String deviceId) implements BusEvent {
    }

    /** Topic every node with push decisions subscribes to. */
    String PUSH_TOPIC = "sys.push";

    /**
     * A user's block list changed: every node drops its cached copy. Published on
     * {@link dev.parley.core.BlockService#TOPIC} only.
     */
    record BlocksChanged(String userId) implements BusEvent {
    }
}
