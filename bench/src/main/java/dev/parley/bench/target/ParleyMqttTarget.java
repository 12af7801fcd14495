package dev.parley.bench.target;

import dev.parley.bench.driver.Driver;
import dev.parley.bench.driver.MqttDriver;
import dev.parley.bench.driver.ParleyMqttNaming;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parley driven through its MQTT gateway by the bench's MQTT driver, the same client code that drives
 * Mosquitto: a Parley server started with {@code PARLEY_MQTT_PORT} on a free loopback port (or one already
 * running, with its MQTT port given), accounts and conversations made over HTTP as for the WebSocket.
 */
public final class ParleyMqttTarget implements Target {
    private final ParleyTarget server;
    private final int mqttPort;

    private ParleyMqttTarget(ParleyTarget server, int mqttPort) {
        this.server = server;
        this.mqttPort = mqttPort;
    }

    /**
     * Starts the server jar as {@link ParleyTarget#start} does, with the MQTT gateway on. Persistent
     * sessions per user are raised for the storm scenario (many clients share one user there).
     */
    public static ParleyMqttTarget start(Path jar, Path data, List<String> jvmArgs, Map<String, String> env)
            throws IOException {
        int port = Processes.freePort();
        Map<String, String> all = new HashMap<>(env);
        all.put("PARLEY_MQTT_PORT", Integer.toString(port));
        all.putIfAbsent("PARLEY_MQTT_MAX_SESSIONS_PER_USER", "1000");
        return new ParleyMqttTarget(ParleyTarget.start(jar, data, jvmArgs, all), port);
    }

    /** A server someone else runs with its MQTT gateway on {@code mqttPort}. */
    public static ParleyMqttTarget attach(URI url, int mqttPort, long pid, Path cacheDir) {
        return new ParleyMqttTarget(ParleyTarget.attach(url, pid, cacheDir), mqttPort);
    }

    @Override
    public String name() {
        return "parley-mqtt";
    }

    @Override
    public Optional<URI> metricsUrl() {
        return server.metricsUrl();
    }

    @Override
    public long pid() {
        return server.pid();
    }

    @Override
    public Driver driver(Vertx vertx) {
        return new MqttDriver(vertx, name(), "127.0.0.1", mqttPort, new ParleyMqttNaming(server.url(), server.data()));
    }

    @Override
    public String description() {
        return "Parley over its MQTT gateway (MQTT 3.1.1, QoS 1) on 127.0.0.1:" + mqttPort + "; "
                + server.description();
    }

    @Override
    public void close() {
        server.close();
    }
}
