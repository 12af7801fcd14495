package dev.parley.bench.target;

import dev.parley.bench.driver.Driver;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.Optional;

/** A system under test that the bench talks to, and possibly started and will stop. */
public interface Target extends AutoCloseable {

    /** {@code parley} or {@code mosquitto}. */
    String name();

    /** The server process id, for CPU and memory readings; -1 when unknown. */
    long pid();

    /** A new driver speaking this target's protocol. */
    Driver driver(Vertx vertx);

    /** Where the server's Prometheus metrics are, when it serves them (Parley's {@code /metrics}). */
    default Optional<URI> metricsUrl() {
        return Optional.empty();
    }

    /** A line for the report: version, address, how it was started. */
    String description();

    @Override
    void close();
}
