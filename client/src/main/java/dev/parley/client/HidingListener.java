package dev.parley.client;

import dev.parley.protocol.Message;

/**
 * A listener as the application added it, behind the block list: messages (and changes to them), typing,
 * receipts and presence of users this account blocks are not passed on. {@link #onEntry} still sees every raw log entry, as
 * {@link ParleyClient#entries} does: the entries stay stored and synced; only the views hide them.
 */
final class HidingListener implements ParleyListener {
    final ParleyListener inner;
    private final BlockedUsers blocked;

    HidingListener(ParleyListener inner, BlockedUsers blocked) {
        this.inner = inner;
        this.blocked = blocked;
    }

    @Override
    public void onEntry(Message entry) {
        inner.onEntry(entry);
    }

    @Override
    public void onMessage(ChatMessage message) {
        if (!blocked.contains(message.senderId())) {
            inner.onMessage(message);
        }
    }

    @Override
    public void onMessageUpdated(ChatMessage message) {
        if (!blocked.contains(message.senderId())) {
            inner.onMessageUpdated(message);
        }
    }

    @Override
    public void onSent(ChatMessage message) {
        inner.onSent(message);
    }

    @Override
    public void onReceipt(String conversationId, ConversationInfo.Receipt receipt) {
        if (!blocked.contains(receipt.userId())) {
            inner.onReceipt(conversationId, receipt);
        }
    }

    @Override
    public void onTyping(String conversationId, String userId, boolean typing) {
        if (!blocked.contains(userId)) {
            inner.onTyping(conversationId, userId, typing);
        }
    }

    @Override
    public void onPresence(String userId, boolean online, Long lastSeenMs) {
        if (!blocked.contains(userId)) {
            inner.onPresence(userId, online, lastSeenMs);
        }
    }

    @Override
    public void onConversation(ConversationInfo conversation) {
        inner.onConversation(conversation);
    }

    @Override
    public void onConnectionState(ConnectionState state) {
        inner.onConnectionState(state);
    }

    @Override
    public void onCaughtUp() {
        inner.onCaughtUp();
    }
}
