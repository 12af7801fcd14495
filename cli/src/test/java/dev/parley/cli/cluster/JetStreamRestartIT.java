package dev.parley.cli.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@link RedisRestartIT} on the durable stream bus: the two nodes' events travel on a NATS JetStream stream, and
 * the private {@code nats-server} is killed (SIGKILL) and started again on its data under load. Presence and rate
 * limits stay on the shared Redis, which is not disturbed. Every member must end up with every message once,
 * live, with its socket kept.
 */
class JetStreamRestartIT extends RedisRestartIT {

    @Override
    protected Bus bus(Path dir) throws Exception {
        Backends.PrivateNats nats = new Backends.PrivateNats(Files.createDirectories(dir.resolve("nats")));
        String prefix = Backends.freshRedisPrefix();
        return new Bus() {
            @Override
            public Map<String, String> env() {
                return Map.of("PARLEY_BUS_TYPE", "jetstream", "PARLEY_NATS_URL", nats.url(), "PARLEY_REDIS_URL",
                        Backends.redisUrl(), "PARLEY_REDIS_PREFIX", prefix);
            }

            @Override
            public void kill() throws Exception {
                nats.kill();
            }

            @Override
            public void start() throws Exception {
                nats.start();
            }

            @Override
            public void close() throws Exception {
                nats.close();
                Backends.deleteRedisKeys(prefix);
            }
        };
    }

    @Override
    protected String busName() {
        return "jetstream";
    }
}
