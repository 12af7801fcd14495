package dev.parley.server.gateway.mqtt;

import dev.parley.core.Appended;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.EntryKind;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PUBLISHes from one client into the conversation log: the checks MQTT adds (topic, retain, payload),
 * the idempotency key that keeps retransmissions from being stored twice ({@link MqttSession#inboundKey}),
 * {@code ChatService.send} for everything else, and the answers (PUBACK, PUBREC/PUBCOMP or a refusal)
 * in the order of the PUBLISHes.
 *
 * <p>Threads: called on the connection's lane, or on its event loop while nothing waits on the lane
 * ({@link #publishNow}), so one at a time and in order; answers may be released from the store's thread when
 * a commit completes.
 */
final class MqttInbox {
    private static final Logger log = LoggerFactory.getLogger(MqttInbox.class);

    private final MqttServices s;
    private final MqttConnection connection;
    private final Caller caller;
    private final MqttSession session;
    /** Completes when the answer to the last PUBLISH went out; lane only. */
    private CompletableFuture<Void> answers = CompletableFuture.completedFuture(null);

    MqttInbox(MqttServices services, MqttConnection connection, Caller caller, MqttSession session) {
        this.s = services;
        this.connection = connection;
        this.caller = caller;
        this.session = session;
    }

    void onPublish(MqttFixedHeader header, MqttPublishVariableHeader vh, byte[] payload) {
        int qos = header.qosLevel().value();
        int pid = vh.packetId();
        CompletableFuture<Appended> stored;
        try {
            stored = store(header, vh, payload);
        } catch (Refusal r) {
            answerInOrder(CompletableFuture.completedFuture(r.answer));
            return;
        } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        answer(qos, pid, stored);
    }

    /**
     * A plain text PUBLISH at QoS 0 or 1 on the connection's event loop: stored from here when the core can take
     * it without blocking ({@code ChatService.sendWithoutBlocking}: the members are cached), handed to the lane
     * with the same idempotency key otherwise. Returns false, having done nothing, for anything else (refusals,
     * QoS 2, MLS handshakes), which {@link #onPublish} handles on the lane.
     */
    boolean publishNow(MqttFixedHeader header, MqttPublishVariableHeader vh, byte[] payload) {
        int qos = header.qosLevel().value();
        if (qos > 1 || header.isRetain() || payload.length == 0 || payload.length > s.limits().maxBodyBytes()
                || !(Topic.name(vh.topicName()) instanceof Topic.Messages target)) {
            return false;
        }
        String body = MqttConnection.utf8(payload);
        if (body == null) {
            return false;
        }
        int pid = vh.packetId();
        String clientMsgId = qos == 0 ? s.ids().newId("mq0") : session.inboundKey(pid, header.isDup(), payload);
        ClientFrame.Send send = new ClientFrame.Send(null, target.conversationId(), clientMsgId, body, EntryKind.TEXT,
                null, null, null);
        CompletableFuture<Appended> stored;
        try {
            stored = s.chat().sendWithoutBlocking(caller, send);
        } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        if (stored == null) {
            connection.lane.submit(() -> {
                CompletableFuture<Appended> later;
                try {
                    later = s.chat().send(caller, send);
                } catch (RuntimeException e) {
                    later = CompletableFuture.failedFuture(e);
                }
                answer(qos, pid, later);
            });
        } else {
            answer(qos, pid, stored);
        }
        return true;
    }

    private void answer(int qos, int pid, CompletableFuture<Appended> stored) {
        CompletableFuture<Runnable> answer = stored.handle((Appended a, Throwable failure) -> failure != null
                ? () -> refuseFor(failure, qos, pid) : () -> acknowledge(qos, pid));
        answerInOrder(answer);
    }

    private void answerInOrder(CompletableFuture<Runnable> answer) {
        // Answers go out in the order of the PUBLISHes (MQTT-4.6.0-2), even when a refusal is known at
        // once and an earlier message is still being committed.
        answers = answers.thenCombine(answer, (previous, next) -> {
            try {
                next.run();
            } catch (RuntimeException e) {
                log.error("mqtt publish answer failed connection={}", connection.id, e);
            }
            return null;
        });
    }

    /** A PUBLISH refused before reaching the store, with what to answer. */
    private static final class Refusal extends RuntimeException {
        final transient Runnable answer;

        Refusal(Runnable answer) {
            super(null, null, false, false);
            this.answer = answer;
        }
    }

    private CompletableFuture<Appended> store(MqttFixedHeader header, MqttPublishVariableHeader vh, byte[] payload) {
        int qos = header.qosLevel().value();
        int pid = vh.packetId();
        if (header.isRetain()) {
            log.info("mqtt retained publish refused connection={}", connection.id);
            throw new Refusal(() -> connection.refuseConnection(Packets.RETAIN_NOT_SUPPORTED, "retained messages are not supported"));
        }
        String mlsConversation = Topic.mlsPublish(vh.topicName());
        if (mlsConversation != null) {
            return storeHandshake(qos, pid, header, mlsConversation, payload);
        }
        if (!(Topic.name(vh.topicName()) instanceof Topic.Messages target)) {
            throw new Refusal(() -> refusePublish(qos, pid, Packets.TOPIC_NAME_INVALID));
        }
        if (payload.length > s.limits().maxBodyBytes()) {
            throw new Refusal(() -> connection.refuseConnection(Packets.PACKET_TOO_LARGE,
                    "payload over " + s.limits().maxBodyBytes() + " bytes"));
        }
        String body = MqttConnection.utf8(payload);
        if (body == null || body.isEmpty()) {
            throw new Refusal(() -> refusePublish(qos, pid, Packets.PAYLOAD_FORMAT_INVALID));
        }
        String clientMsgId = qos == 0 ? s.ids().newId("mq0") : session.inboundKey(pid, header.isDup(), payload);
        return s.chat().send(caller, new ClientFrame.Send(null, target.conversationId(), clientMsgId, body,
                EntryKind.TEXT, null, null, null));
    }

    /**
     * {@code conversations/{id}/mls}: {@code {"kind":"mls-commit","body","epoch","groupContext"}} or
     * {@code {"kind":"mls-welcome","body","recipients":[...]}}, stored exactly like the WebSocket's {@code send} of
     * that kind (the same Delivery Service checks; {@code conflict} is PUBACK 0x83 in MQTT 5).
     */
    private CompletableFuture<Appended> storeHandshake(int qos, int pid, MqttFixedHeader header, String conversationId,
                                                       byte[] payload) {
        if (payload.length > s.limits().maxBodyBytes() * dev.parley.core.mls.MlsDelivery.HANDSHAKE_BODY_FACTOR
                + MqttServices.MLS_FRAME_OVERHEAD) {
            throw new Refusal(() -> connection.refuseConnection(Packets.PACKET_TOO_LARGE, "handshake payload too large"));
        }
        com.fasterxml.jackson.databind.JsonNode o;
        try {
            o = dev.parley.protocol.Json.mapper().readTree(payload);
        } catch (java.io.IOException e) {
            o = null;
        }
        if (o == null || !o.isObject() || !o.path("body").isTextual()) {
            throw new Refusal(() -> refusePublish(qos, pid, Packets.PAYLOAD_FORMAT_INVALID));
        }
        String clientMsgId = qos == 0 ? s.ids().newId("mq0") : session.inboundKey(pid, header.isDup(), payload);
        String body = o.get("body").asText();
        ClientFrame.Send send;
        switch (o.path("kind").asText()) {
            case "mls-commit" -> {
                if (!o.path("epoch").canConvertToLong() || !o.path("groupContext").isTextual()) {
                    throw new Refusal(() -> refusePublish(qos, pid, Packets.PAYLOAD_FORMAT_INVALID));
                }
                send = ClientFrame.Send.mlsCommit(null, conversationId, clientMsgId, body, o.get("epoch").asLong(),
                        o.get("groupContext").asText());
            }
            case "mls-welcome" -> {
                java.util.List<String> recipients = new java.util.ArrayList<>();
                o.path("recipients").forEach(r -> recipients.add(r.asText()));
                send = ClientFrame.Send.mlsWelcome(null, conversationId, clientMsgId, body, recipients);
            }
            default -> throw new Refusal(() -> refusePublish(qos, pid, Packets.PAYLOAD_FORMAT_INVALID));
        }
        return s.chat().send(caller, send);
    }

    private void acknowledge(int qos, int pid) {
        if (qos == 1) {
            connection.send(Packets.pubReply(MqttMessageType.PUBACK, pid, Packets.SUCCESS));
        } else if (qos == 2) {
            session.awaitRelease(pid);
            connection.send(Packets.pubReply(MqttMessageType.PUBREC, pid, Packets.SUCCESS));
        }
    }

    private void refuseFor(Throwable failure, int qos, int pid) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof ChatException ce) {
            switch (ce.code()) {
                case NOT_FOUND, FORBIDDEN -> refusePublish(qos, pid, Packets.NOT_AUTHORIZED);
                case RATE_LIMITED -> refusePublish(qos, pid, Packets.QUOTA_EXCEEDED);
                case CONFLICT -> refusePublish(qos, pid, Packets.IMPLEMENTATION_SPECIFIC_ERROR); // an MLS epoch race
                case TOO_LARGE -> connection.refuseConnection(Packets.PACKET_TOO_LARGE, "payload too large");
                case BAD_REQUEST -> refusePublish(qos, pid, Packets.PAYLOAD_FORMAT_INVALID);
                default -> refusePublish(qos, pid, Packets.UNSPECIFIED_ERROR);
            }
        } else if (t instanceof IllegalArgumentException) {
            refusePublish(qos, pid, Packets.PAYLOAD_FORMAT_INVALID);
        } else {
            log.error("mqtt publish failed connection={}", connection.id, t);
            refusePublish(qos, pid, Packets.UNSPECIFIED_ERROR);
        }
    }

    /**
     * A PUBLISH that stores nothing: MQTT 5 answers it with the reason (PUBACK or PUBREC; at QoS 0,
     * which has no answer, the connection ends with the reason); 3.1.1 has no negative answer, so the
     * connection is closed.
     */
    private void refusePublish(int qos, int pid, byte reason) {
        log.info("mqtt publish refused connection={} reason=0x{}", connection.id, Integer.toHexString(reason & 0xff));
        if (connection.v5() && qos == 1) {
            connection.send(Packets.pubReply(MqttMessageType.PUBACK, pid, reason));
        } else if (connection.v5() && qos == 2) {
            connection.send(Packets.pubReply(MqttMessageType.PUBREC, pid, reason));
        } else {
            connection.refuseConnection(reason, "publish refused");
        }
    }

    /** QoS 2, second half: the client releases the packet id; answered PUBCOMP. */
    void onRelease(int packetId) {
        boolean known = session.release(packetId);
        connection.send(Packets.pubReply(MqttMessageType.PUBCOMP, packetId,
                known ? Packets.SUCCESS : Packets.PACKET_ID_NOT_FOUND));
    }
}
