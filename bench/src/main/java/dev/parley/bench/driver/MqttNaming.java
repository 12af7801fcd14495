package dev.parley.bench.driver;

/**
 * What differs between MQTT servers for the same workload: the topic of each conversation and how a
 * client identifies itself. {@link MqttDriver}'s client code (connect, subscribe, publish at QoS 1, count
 * PUBACKs) is the same for all of them.
 */
public interface MqttNaming {

    /** Creates whatever the topology needs before connecting (nothing for a plain broker). */
    void prepare(Topology topology) throws Exception;

    /** The topic member {@code member} subscribes and publishes to. */
    String topic(int member);

    /** CONNECT username of the member's clients, or null to connect anonymously. */
    String username(int member);

    /** CONNECT password of the member's clients, or null. */
    String password(int member);

    /** A plain broker: anonymous clients, one fresh topic per conversation per run. */
    static MqttNaming broker(String runId) {
        return new MqttNaming() {
            private volatile Topology topology;

            @Override
            public void prepare(Topology t) {
                topology = t; // topics exist when used
            }

            @Override
            public String topic(int member) {
                return "bench/" + runId + "/g" + topology.groupOf(member);
            }

            @Override
            public String username(int member) {
                return null;
            }

            @Override
            public String password(int member) {
                return null;
            }
        };
    }
}
