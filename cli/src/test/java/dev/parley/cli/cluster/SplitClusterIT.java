package dev.parley.cli.cluster;

import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * The role-split topology from one artifact ({@code parley server --roles}): two gateways, one api+media node and
 * one worker, behind HAProxy routing by path (sockets to the gateways, {@code /v1/media} and {@code /v1/uploads}
 * to the media node, the rest to the API node; the worker is behind nothing). Every check of
 * {@link ClusterSuite}: messages cross gateways through the bus, pushes and webhooks decided on the gateways are
 * delivered by the worker alone, and a gateway is killed under load.
 */
class SplitClusterIT extends ClusterSuite {
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
        return "split";
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
