package dev.parley.client;

import dev.parley.protocol.Message;

/**
 * Callbacks from a {@link ParleyClient}. Every method has an empty default, so implement only what you
 * need. Callbacks run one at a time, in order, on the client's own callback thread (never on the network
 * thread): a slow callback delays later callbacks but never the connection. Do not block for long in them.
 *
 * <p>Per conversation, {@link #onEntry} and {@link #onMessage} see every log entry exactly once and in
 * {@code seq} order, however often the connection drops, whatever the server re-delivers.
 */
public interface ParleyListener {

    /** Every new log entry (any kind), exactly once, in {@code seq} order per conversation. */
    default void onEntry(Message entry) {
    }

    /** A new {@code text}, {@code media} or {@code system} entry, exactly once, in {@code seq} order. */
    default void onMessage(ChatMessage message) {
    }

    /** A held message changed: an edit, delete or reaction was folded in, or its {@link Tick} moved. */
    default void onMessageUpdated(ChatMessage message) {
    }

    /**
     * One of this client's outgoing messages was acknowledged as durably stored ({@code seq} set) or failed
     * for good ({@link Tick#FAILED}). Also fires for messages queued before a restart.
     */
    default void onSent(ChatMessage message) {
    }

    /** A member's delivered/read watermarks moved (including this user's, from other devices). */
    default void onReceipt(String conversationId, ConversationInfo.Receipt receipt) {
    }

    /** A member started ({@code typing = true}) or stopped typing. */
    default void onTyping(String conversationId, String userId, boolean typing) {
    }

    /** A user who shares a conversation with this one went online or offline. */
    default void onPresence(String userId, boolean online, Long lastSeenMs) {
    }

    /** A conversation was created, changed membership, or this user was added or removed. */
    default void onConversation(ConversationInfo conversation) {
    }

    /** The connection changed state. */
    default void onConnectionState(ConnectionState state) {
    }

    /**
     * After a (re)connect, every conversation has been brought up to date with the server (the list was
     * refreshed and every gap synced). Fires again after each later reconnect.
     */
    default void onCaughtUp() {
    }
}
