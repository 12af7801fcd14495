package dev.parley.cli.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every check of {@link ClusterIT} on the durable stream bus: the three nodes' events travel on a NATS JetStream
 * stream (a private {@code nats-server -js}), presence and rate limits stay on Redis ({@code bus.type jetstream}).
 */
class ClusterOnJetStreamIT extends ClusterIT {
    private Path natsDir;
    private Backends.PrivateNats nats;

    @Override
    protected Map<String, String> busEnv() throws Exception {
        natsDir = Files.createTempDirectory("parley-cluster-nats-");
        nats = new Backends.PrivateNats(natsDir);
        return Map.of("PARLEY_BUS_TYPE", "jetstream", "PARLEY_NATS_URL", nats.url());
    }

    @Override
    String topologyName() {
        return "all-in-one-jetstream";
    }

    @Override
    protected void stopBus() throws Exception {
        if (nats != null) {
            nats.close();
        }
        Backends.deleteTree(natsDir);
    }
}
