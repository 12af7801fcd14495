package dev.parley.cli.cluster;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The role-split topology from one artifact ({@code parley server --roles}): two gateways, one api+media node and
 * one worker, behind HAProxy routing by path (sockets to the gateways, {@code /v1/media} and {@code /v1/uploads}
 * to the media node, the rest to the API node; the worker is behind nothing). Every check of
 * {@link ClusterSuite}: messages cross gateways through the bus, pushes and webhooks decided on the gateways are
 * delivered by the worker alone, and a gateway is killed under load. The events travel on a NATS JetStream stream
 * (a private {@code nats-server -js}, {@code bus.type jetstream}) with presence and rate limits on Redis, so this
 * one run covers the split topology and the stream bus; {@link ClusterIT} runs the same checks all-in-one on Redis.
 */
class SplitClusterIT extends ClusterSuite {
    private Path natsDir;
    private Backends.PrivateNats nats;
    private ClusterNode g1;
    private ClusterNode g2;
    private ClusterNode apiMedia;
    private ClusterNode worker;

    @Override
    void startTopology() throws Exception {
        // The API node migrates the schema alone; then the others start together.
        apiMedia = launch("am1", Map.of("PARLEY_ROLES", "api,media"));
        apiMedia.awaitHealthy();
        g1 = launch("g1", Map.of("PARLEY_ROLES", "gateway"));
        g2 = launch("g2", Map.of("PARLEY_ROLES", "gateway"));
        worker = launch("w1", Map.of("PARLEY_ROLES", "worker"));
        for (ClusterNode n : nodes) {
            n.awaitHealthy();
        }
        haproxy = Haproxy.split(Files.createDirectories(dir.resolve("lb")), List.of(g1, g2), List.of(apiMedia),
                List.of(apiMedia));
    }

    @Override
    String topologyName() {
        return "split-jetstream";
    }

    @Override
    protected Map<String, String> busEnv() throws Exception {
        natsDir = Files.createTempDirectory("parley-cluster-nats-");
        nats = new Backends.PrivateNats(natsDir);
        return Map.of("PARLEY_BUS_TYPE", "jetstream", "PARLEY_NATS_URL", nats.url());
    }

    @Override
    protected void stopBus() throws Exception {
        if (nats != null) {
            nats.close();
        }
        Backends.deleteTree(natsDir);
    }

    @Override
    List<ClusterNode> gateways() {
        return List.of(g1, g2);
    }

    @Override
    boolean isWorker(ClusterNode node) {
        return node == worker;
    }

    @Override
    ClusterNode victim() {
        return g2;
    }

    /** One API node: every HTTP call goes to it. */
    @Override
    URI http(int i) {
        return URI.create("http://127.0.0.1:" + apiMedia.port);
    }

    @Override
    URI ws(int i) {
        return URI.create("http://127.0.0.1:" + (i % 2 == 0 ? g1 : g2).port);
    }
}
