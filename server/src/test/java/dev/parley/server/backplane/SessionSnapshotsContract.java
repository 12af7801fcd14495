package dev.parley.server.backplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionSnapshots} engine guarantees. Two instances on one engine stand for two nodes:
 * what one saves the other loads.
 */
public abstract class SessionSnapshotsContract {
    protected SessionSnapshots node1;
    protected SessionSnapshots node2;

    /** An instance on the shared engine (each call: another node). */
    protected abstract SessionSnapshots newSnapshots() throws Exception;

    /** Lets at least {@code d} pass for the engine's expiry (a test clock moves, a real engine waits). */
    protected abstract void letPass(Duration d) throws Exception;

    @BeforeEach
    void open() throws Exception {
        node1 = newSnapshots();
        node2 = newSnapshots();
    }

    private static String key() {
        return "mqtt:" + UUID.randomUUID();
    }

    @Test
    void whatOneNodeSavesAnotherLoads() {
        String k = key();
        node1.save(k, "{\"a\":1}", Duration.ofMinutes(5));
        assertThat(node2.load(k)).contains("{\"a\":1}");
    }

    @Test
    void unknownKeyLoadsNothing() {
        assertThat(node1.load(key())).isEmpty();
    }

    @Test
    void aLaterSaveReplacesTheValueWhole() {
        String k = key();
        node1.save(k, "first", Duration.ofMinutes(5));
        node2.save(k, "second", Duration.ofMinutes(5));
        assertThat(node1.load(k)).contains("second");
    }

    @Test
    void deleteForgetsOnEveryNode() {
        String k = key();
        node1.save(k, "v", Duration.ofMinutes(5));
        node2.delete(k);
        assertThat(node1.load(k)).isEmpty();
        node2.delete(k); // unknown: nothing happens
    }

    @Test
    void aValueExpiresAfterItsTimeToLiveAndNotBefore() throws Exception {
        String shortLived = key();
        String longLived = key();
        node1.save(shortLived, "v", Duration.ofMillis(300));
        node1.save(longLived, "w", Duration.ofMinutes(5));
        letPass(Duration.ofMillis(400));
        assertThat(node2.load(shortLived)).isEmpty();
        assertThat(node2.load(longLived)).isEqualTo(Optional.of("w"));
    }

    @Test
    void valuesKeepAnyText() {
        String k = key();
        String text = "{\"clientId\":\"caf\u00e9 \u2603 \\u0000\",\"n\":[1,2,3]}\n";
        node1.save(k, text, Duration.ofMinutes(5));
        assertThat(node2.load(k)).contains(text);
    }
}
