package dev.parley.server.gateway.mqtt;

import dev.parley.core.Account;
import dev.parley.core.Caller;
import io.netty.handler.codec.mqtt.MqttProperties;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What CONNECT asks and what the server answers, apart from the connection's life cycle
 * ({@link MqttConnection} decides and applies): who the client is (a session token as the
 * password, under its user's handle), and the properties of an MQTT 5 CONNACK.
 */
final class MqttConnect {
    private static final Logger log = LoggerFactory.getLogger(MqttConnect.class);

    private MqttConnect() {
    }

    /** The caller of a session token, if {@code username} is that token's user's handle; empty otherwise. */
    static Optional<Caller> authenticate(MqttServices s, String connectionId, String username, byte[] password) {
        if (username == null || password == null) {
            return Optional.empty();
        }
        try {
            Optional<Caller> who = s.accounts().authenticate(new String(password, StandardCharsets.UTF_8));
            if (who.isEmpty()) {
                return who;
            }
            // The handle must be the token's user: a token is never accepted under someone else's name.
            Optional<Account> account = s.accounts().findUser(who.get().userId());
            return account.isPresent() && account.get().handleKey().equals(username.toLowerCase(Locale.ROOT))
                    ? who : Optional.empty();
        } catch (RuntimeException e) {
            log.error("mqtt authentication failed connection={}", connectionId, e);
            return Optional.empty();
        }
    }

    /**
     * The properties of an accepted MQTT 5 CONNACK: what the server does not support, its packet size limit,
     * and what it changed of the client's request.
     *
     * @param assignedClientId the client identifier the server chose, or null if the client gave one
     * @param serverKeepAlive  whether the client proposed no keep-alive, so the server sets one
     */
    static MqttProperties connAckProperties(MqttServices s, long requestedExpiry, long expiry, String assignedClientId,
                                            boolean serverKeepAlive) {
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 0));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 0));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 1));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, s.maxPacketBytes()));
        if (requestedExpiry != expiry) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) expiry));
        }
        if (assignedClientId != null) {
            props.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, assignedClientId));
        }
        if (serverKeepAlive) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE,
                    MqttServices.SERVER_KEEP_ALIVE));
        }
        return props;
    }

    /** An integer property of the client's, as an unsigned value, or {@code dflt} when absent. */
    static long intProperty(MqttProperties props, int id, long dflt) {
        var p = props == null ? null : props.getProperty(id);
        return p != null && p.value() instanceof Integer i ? Integer.toUnsignedLong(i) : dflt;
    }
}
