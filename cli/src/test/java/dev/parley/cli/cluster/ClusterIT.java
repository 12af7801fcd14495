package dev.parley.cli.cluster;

import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * The all-in-one topology: three identical {@code parley.jar} nodes (every role) behind one HAProxy backend, running
 * every check of {@link ClusterSuite}. The cross-node latency measurement next to a single node is
 * {@code parley bench cluster-latency}.
 */
class ClusterIT extends ClusterSuite {
    @Override
    void startTopology() throws Exception {
        // The first node migrates the schema alone; then the other two start together.
        launch("n1", Map.of()).awaitHealthy();
        launch("n2", Map.of());
        launch("n3", Map.of());
        for (ClusterNode n : nodes) {
            n.awaitHealthy();
        }
        haproxy = Haproxy.start(Files.createDirectories(dir.resolve("lb")), nodes);
    }

    @Override
    String topologyName() {
        return "all-in-one";
    }

    @Override
    List<ClusterNode> gateways() {
        return nodes;
    }

    @Override
    boolean isWorker(ClusterNode node) {
        return true;
    }

    @Override
    ClusterNode victim() {
        return nodes.get(2);
    }

    @Override
    URI http(int i) {
        return node(i);
    }

    @Override
    URI ws(int i) {
        return node(i);
    }
}
