package dev.parley.server.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ConnectionConfig;
import dev.parley.server.config.MqttConfig;
import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-address connection cap applies to MQTT over TCP; a freed slot can be used again. */
class MqttAddressCapIT {

    @Test
    void connectionsBeyondTheCapFromOneAddressAreClosed(@TempDir Path data) {
        ServerConfig config = ServerConfig.embedded(data, 0).withSendRate(0).withPassword(TestServers.FAST_PASSWORDS)
                .withMqtt(MqttConfig.defaults().withPort(0)).withConnections(new ConnectionConfig(10_000, 2));
        try (ParleyServer server = ParleyServer.start(config)) {
            Api api = new Api(server.port());
            var a = api.user("cap_a");
            var first = new RawMqttClient(server.mqttPort());
            var second = new RawMqttClient(server.mqttPort());
            try (var third = new RawMqttClient(server.mqttPort())) {
                third.awaitClosed(5_000);
            }
            assertThat(first.connect(5, "c1", a.handle(), a.token(), true, 30, null).variableHeader()
                    .connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
            second.close();
            // The slot comes back once the server has seen the close.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (var again = new RawMqttClient(server.mqttPort())) {
                    assertThat(again.connect(4, "c2", a.handle(), a.token(), true, 30, null).variableHeader()
                            .connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
                }
            });
            first.close();
        }
    }
}
