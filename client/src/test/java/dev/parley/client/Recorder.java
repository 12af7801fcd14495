package dev.parley.client;

import dev.parley.protocol.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that records what the app would see. */
final class Recorder implements ParleyListener {
    final Map<String, List<Message>> entries = new ConcurrentHashMap<>();
    final List<ChatMessage> messages = new CopyOnWriteArrayList<>();
    final List<ChatMessage> updates = new CopyOnWriteArrayList<>();
    final List<ChatMessage> sent = new CopyOnWriteArrayList<>();
    final List<ConnectionState> states = new CopyOnWriteArrayList<>();
    final List<String> typing = new CopyOnWriteArrayList<>();
    final Map<String, Boolean> presence = new ConcurrentHashMap<>();
    final List<ConversationInfo> conversations = new CopyOnWriteArrayList<>();
    final List<ConversationInfo.Receipt> receipts = new CopyOnWriteArrayList<>();
    volatile int caughtUp;

    @Override
    public void onEntry(Message entry) {
        entries.computeIfAbsent(entry.conversationId(), k -> new CopyOnWriteArrayList<>()).add(entry);
    }

    @Override
    public void onMessage(ChatMessage message) {
        messages.add(message);
    }

    @Override
    public void onMessageUpdated(ChatMessage message) {
        updates.add(message);
    }

    @Override
    public void onSent(ChatMessage message) {
        sent.add(message);
    }

    @Override
    public void onReceipt(String conversationId, ConversationInfo.Receipt receipt) {
        receipts.add(receipt);
    }

    @Override
    public void onTyping(String conversationId, String userId, boolean on) {
        typing.add(userId + ":" + on);
    }

    @Override
    public void onPresence(String userId, boolean online, Long lastSeenMs) {
        presence.put(userId, online);
    }

    @Override
    public void onConversation(ConversationInfo conversation) {
        conversations.add(conversation);
    }

    @Override
    public void onConnectionState(ConnectionState state) {
        states.add(state);
    }

    @Override
    public void onCaughtUp() {
        caughtUp++;
    }

    List<Message> entries(String conversationId) {
        return entries.getOrDefault(conversationId, List.of());
    }
}
