package dev.parley.bench.soak;

import dev.parley.bench.target.ServerProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The soak's deployment on loopback: a fresh PostgreSQL schema, a private Redis, N nodes, and HAProxy in
 * front (or, where HAProxy is not installed, clients spread over the nodes themselves). Rate limits are
 * off on every node: the soak checks delivery, not throttling.
 */
public final class Cluster implements AutoCloseable {
    private final PostgresSchema schema;
    private final PrivateRedis redis;
    private final List<Node> nodes;
    private final Haproxy haproxy;
    private final AtomicInteger next = new AtomicInteger();

    private Cluster(PostgresSchema schema, PrivateRedis redis, List<Node> nodes, Haproxy haproxy) {
        this.schema = schema;
        this.redis = redis;
        this.nodes = nodes;
        this.haproxy = haproxy;
    }

    /**
     * Starts everything; on failure, stops what was started.
     *
     * @param pgUrl JDBC URL of the database in which to make the schema
     */
    public static Cluster start(Path dir, String pgUrl, int nodeCount, Node.Launcher launcher, boolean useHaproxy)
            throws Exception {
        PostgresSchema schema = PostgresSchema.create(pgUrl);
        PrivateRedis redis = null;
        List<Node> nodes = new ArrayList<>();
        try {
            redis = new PrivateRedis(dir.resolve("redis"));
            Map<String, String> env = new HashMap<>();
            env.put("PARLEY_STORE_URL", schema.url());
            env.put("PARLEY_REDIS_URL", redis.url());
            env.put("PARLEY_REDIS_PREFIX", "soak:" + UUID.randomUUID().toString().substring(0, 8) + ":");
            env.put("PARLEY_RATE_LIMITS", "off");
            env.put("PARLEY_SEND_RATE", "0");
            // The first node migrates the schema alone; the others start after it.
            for (int i = 1; i <= nodeCount; i++) {
                String name = "n" + i;
                nodes.add(launcher.launch(name, ServerProcess.freePort(), Files.createDirectories(dir.resolve(name)),
                        env));
            }
            Haproxy lb = useHaproxy ? Haproxy.start(dir.resolve("haproxy"), nodes) : null;
            return new Cluster(schema, redis, nodes, lb);
        } catch (Exception e) {
            nodes.forEach(Node::close);
            if (redis != null) {
                redis.close();
            }
            schema.close();
            throw e;
        }
    }

    /**
     * One node alone on a fresh schema, with the in-process bus (no Redis): what a cluster is compared with.
     *
     * @param pgUrl JDBC URL of the database in which to make the schema
     */
    public static Cluster single(Path dir, String pgUrl, Node.Launcher launcher) throws Exception {
        PostgresSchema schema = PostgresSchema.create(pgUrl);
        try {
            Map<String, String> env = Map.of("PARLEY_STORE_URL", schema.url(), "PARLEY_RATE_LIMITS", "off",
                    "PARLEY_SEND_RATE", "0");
            Node node = launcher.launch("single", ServerProcess.freePort(), Files.createDirectories(dir.resolve("single")),
                    env);
            return new Cluster(schema, null, List.of(node), null);
        } catch (Exception e) {
            schema.close();
            throw e;
        }
    }

    public List<Node> nodes() {
        return nodes;
    }

    /** The cluster's Redis (null for {@link #single}). */
    public PrivateRedis redis() {
        return redis;
    }

    public boolean balanced() {
        return haproxy != null;
    }

    /** Where clients connect: HAProxy, or the nodes in turn. */
    public Supplier<URI> entry() {
        if (haproxy != null) {
            URI lb = URI.create("http://127.0.0.1:" + haproxy.port());
            return () -> lb;
        }
        return () -> URI.create("http://127.0.0.1:" + nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size())).port());
    }

    /** The nodes' HTTP addresses, in order. */
    public List<URI> urls() {
        return nodes.stream().map(n -> URI.create("http://127.0.0.1:" + n.port())).toList();
    }

    public String describe() {
        if (redis == null) {
            return "1 node (" + nodes.getFirst().name() + ":" + nodes.getFirst().port() + ") with the in-process bus on"
                    + " PostgreSQL schema " + schema.name();
        }
        return nodes.size() + " nodes (" + String.join(", ", nodes.stream().map(n -> n.name() + ":" + n.port()).toList())
                + ") on PostgreSQL schema " + schema.name() + " and a private Redis at " + redis.url()
                + (haproxy != null ? ", behind HAProxy on 127.0.0.1:" + haproxy.port() : ", clients spread over the nodes (no HAProxy)");
    }

    @Override
    public void close() {
        if (haproxy != null) {
            haproxy.close();
        }
        nodes.forEach(Node::close);
        if (redis != null) {
            redis.close();
        }
        schema.close();
    }
}
