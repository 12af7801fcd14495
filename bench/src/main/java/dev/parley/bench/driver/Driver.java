package dev.parley.bench.driver;

import io.vertx.core.Future;

/**
 * One system under test, spoken to through its own protocol. The scenarios are written once against
 * this interface, so Parley and an MQTT broker get the identical workload.
 */
public interface Driver extends AutoCloseable {

    /** A name for reports: {@code parley}, {@code mosquitto}. */
    String name();

    /** Creates whatever the topology needs before connecting (accounts, sessions, conversations). */
    void prepare(Topology topology) throws Exception;

    /** Opens one connection for the member and resolves once it is ready to send and receive. */
    Future<DriverConnection> connect(ClientSpec spec, Listener listener);

    /** Whether a sender receives its own messages on the sending connection (MQTT does; it has no no-local). */
    boolean echoesToSender();

    @Override
    void close();
}
