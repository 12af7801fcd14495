package dev.parley.bench.driver;

/**
 * What a bench connection reports back. Every call comes on the connection's own event-loop thread, so
 * state kept per connection needs no locking.
 */
public interface Listener {

    /** A message arrived (live or caught up); {@code body} is exactly what the sender sent. */
    void onMessage(String body, long nowNanos);

    /** The send with this {@code token} was acknowledged by the server (Parley {@code sent}, MQTT PUBACK). */
    void onAck(long token, long nowNanos);

    /** The server refused something or the connection failed; counted, never thrown. */
    void onError(String what);

    /** The connection is gone. */
    default void onClosed() {
    }

    /** A listener that ignores everything. */
    Listener NONE = new Listener() {
        @Override
        public void onMessage(String body, long nowNanos) {
        }

        @Override
        public void onAck(long token, long nowNanos) {
        }

        @Override
        public void onError(String what) {
        }
    };
}
