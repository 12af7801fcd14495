package dev.parley.server.gateway.mqtt;

import dev.parley.core.Caller;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE of one connection: each filter is checked (the topics Parley speaks, membership,
 * the subscription quota) and answered in the SUBACK or UNSUBACK; the {@link MqttOutbox} then starts or stops
 * delivering.
 *
 * <p>Threads: the connection's lane.
 */
final class MqttSubscribe {
    private static final Logger log = LoggerFactory.getLogger(MqttSubscribe.class);

    private final MqttServices s;
    private final MqttConnection connection;
    private final Caller caller;
    private final MqttSession session;
    private final MqttOutbox outbox;

    MqttSubscribe(MqttServices services, MqttConnection connection, Caller caller, MqttSession session,
                  MqttOutbox outbox) {
        this.s = services;
        this.connection = connection;
        this.caller = caller;
        this.session = session;
        this.outbox = outbox;
    }

    /** Answers SUBACK with a code per filter; the accepted ones are delivered from now on. */
    void onSubscribe(MqttSubscribeMessage m) {
        List<Integer> codes = new ArrayList<>();
        List<MqttSession.Subscription> accepted = new ArrayList<>();
        for (MqttTopicSubscription ts : m.payload().topicSubscriptions()) {
            String filter = ts.topicFilter();
            Topic topic = Topic.filter(filter);
            int asked = ts.option().qos().value();
            Integer refusal = switch (topic) {
                case Topic.Refused r -> switch (r.why()) {
                    case SYSTEM -> (int) Packets.NOT_AUTHORIZED;
                    case SHARED -> (int) Packets.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED;
                    case WILDCARD -> (int) Packets.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED;
                    case UNKNOWN -> (int) Packets.TOPIC_FILTER_INVALID;
                };
                case Topic.Messages t -> member(t.conversationId()) ? null : (int) Packets.NOT_AUTHORIZED;
                case Topic.Log t -> member(t.conversationId()) ? null : (int) Packets.NOT_AUTHORIZED;
                case Topic.AllMessages a -> null;
                case Topic.Events e -> null;
            };
            if (refusal == null && session.subscriptionCount() + accepted.size() >= s.config().maxSubscriptions()
                    && session.subscriptions().stream().noneMatch(x -> x.filter().equals(filter))) {
                refusal = (int) Packets.QUOTA_EXCEEDED;
            }
            if (refusal != null) {
                log.info("mqtt subscribe refused connection={} reason=0x{}", connection.id,
                        Integer.toHexString(refusal & 0xff));
                codes.add(connection.v5() ? refusal & 0xff : Packets.FAILURE_311);
                continue;
            }
            // Messages go out at QoS 1 at most; events are ephemeral and go out at QoS 0.
            int granted = topic instanceof Topic.Events ? 0 : Math.min(asked, 1);
            codes.add(granted);
            accepted.add(new MqttSession.Subscription(filter, topic, granted, ts.option().isNoLocal()));
        }
        // Subscribed before the SUBACK goes out: a client may publish (or have another user send) the moment it has
        // the SUBACK, and the subscription starts at the log's end as read here, so a message stored between the two
        // would be skipped. (MQTT lets matching PUBLISH packets precede the SUBACK.)
        if (!accepted.isEmpty()) {
            outbox.subscribed(accepted);
        }
        connection.send(Packets.subAck(m.idAndPropertiesVariableHeader().messageId(), codes));
    }

    private boolean member(String conversationId) {
        try {
            return s.chat().isMember(conversationId, caller.userId());
        } catch (RuntimeException e) {
            log.warn("membership check failed connection={} conversationId={}", connection.id, conversationId, e);
            return false;
        }
    }

    /** Drops the filters (0x11 in the UNSUBACK for one that was not there) and what only they delivered. */
    void onUnsubscribe(MqttUnsubscribeMessage m) {
        List<Short> codes = new ArrayList<>();
        for (String filter : m.payload().topics()) {
            codes.add(session.unsubscribe(filter) ? (short) 0x00 : (short) 0x11);
        }
        outbox.unsubscribed();
        connection.send(Packets.unsubAck(m.idAndPropertiesVariableHeader().messageId(), codes, connection.v5()));
    }
}
