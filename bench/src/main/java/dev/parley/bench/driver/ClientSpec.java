package dev.parley.bench.driver;

/**
 * Which connection to open.
 *
 * @param client       unique index of the connection (MQTT client id; one user may have many clients)
 * @param member       index of the member (user) whose identity and conversation the client uses
 * @param localAddress source address to bind (127.0.0.x), or null for any
 * @param persistent   MQTT: keep the session and its queue while disconnected (clean session off)
 */
public record ClientSpec(int client, int member, String localAddress, boolean persistent) {
    public static ClientSpec of(int member) {
        return new ClientSpec(member, member, null, false);
    }
}
