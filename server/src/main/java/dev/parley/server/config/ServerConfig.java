package dev.parley.server.config;

import dev.parley.core.Limits;
import dev.parley.core.RateBudgets;
import dev.parley.server.media.MediaConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a node needs to start, immutable and validated. Built by {@link ConfigLoader} from the
 * YAML file, the environment and command-line options, or directly in tests with {@link #embedded}.
 *
 * @param host            interface to bind ({@code 0.0.0.0} = all)
 * @param dataDir         where every byte of embedded state lives (SQLite file, media)
 * @param maxFrameBytes   largest WebSocket frame/message accepted; bigger ones close the socket with 1009
 * @param maxHttpBodyBytes largest JSON body accepted on the HTTP API (413 above)
 * @param allowedOrigins  browser origins allowed to open WebSockets besides the server's own
 * @param media           where uploads are stored and how they are checked, processed and served
 * @param connections     liveness and per-address caps for sockets and HTTP connections
 * @param security        trusted proxies and session lifetime
 * @param budgets         rate budgets for the write and read paths besides sends
 * @param metrics         the Prometheus endpoint
 * @param mqtt            the MQTT gateway (TCP port, MQTT over WebSocket, sessions)
 * @param outbound        where the node's own requests (push, webhooks) may go
 * @param integration     admin API token, host-signed JWT sign-in, webhook delivery
 * @param push            push notifications: previews, coalescing, VAPID, FCM and APNs credentials
 * @param roles           what this node runs (gateway, api, media, worker; all by default)
 */
public record ServerConfig(String host, int port, Path dataDir, String nodeId, StoreConfig store, BusConfig bus,
                           Limits limits, int maxFrameBytes, int maxHttpBodyBytes, List<String> allowedOrigins,
                           PasswordConfig password, MediaConfig media, ConnectionConfig connections,
                           SecurityConfig security, RateBudgets budgets, MetricsConfig metrics,
                           MqttConfig mqtt, OutboundConfig outbound,
                           IntegrationConfig integration, PushConfig push, NodeRoles roles) {

    public ServerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535");
        }
        if (maxFrameBytes < 1024 || maxHttpBodyBytes < 1024) {
            throw new IllegalArgumentException("maxFrameBytes and maxHttpBodyBytes must be at least 1024");
        }
        dataDir = dataDir.toAbsolutePath().normalize();
        allowedOrigins = List.copyOf(allowedOrigins);
        roles = roles == null ? NodeRoles.all() : roles;
    }

    /**
     * Which store backs the node.
     *
     * @param partitions PostgreSQL only: hash partitions of the {@code entries} table, fixed when the schema
     *                   is first created
     * @param dynamodb   {@code store.type: dynamodb} only: where the DynamoDB tables are
     */
    public record StoreConfig(String type, String url, int poolSize, int maxBatch, boolean fsync, int partitions,
                              DynamoDbConfig dynamodb) {
        public static final int DEFAULT_PARTITIONS = 8;

        public static final String SQLITE = "sqlite";
        public static final String POSTGRES = "postgres";
        /** The message and account stores on DynamoDB ({@code docs/dynamodb.md}); a node refuses to start on it. */
        public static final String DYNAMODB = "dynamodb";

        public StoreConfig {
            if (!SQLITE.equals(type) && !POSTGRES.equals(type) && !DYNAMODB.equals(type)) {
                throw new IllegalArgumentException("store.type must be sqlite, postgres or dynamodb, not " + type);
            }
            if (POSTGRES.equals(type) && (url == null || !url.startsWith("jdbc:postgresql:"))) {
                throw new IllegalArgumentException("store.url must be a jdbc:postgresql: URL for store.type postgres");
            }
            if (poolSize < 1 || maxBatch < 1) {
                throw new IllegalArgumentException("store.poolSize and store.maxBatch must be positive");
            }
            if (partitions < 1 || partitions > 1024) {
                throw new IllegalArgumentException("store.partitions must be 1-1024");
            }
            dynamodb = dynamodb == null ? DynamoDbConfig.defaults() : dynamodb;
        }

        public StoreConfig(String type, String url, int poolSize, int maxBatch, boolean fsync, int partitions) {
            this(type, url, poolSize, maxBatch, fsync, partitions, DynamoDbConfig.defaults());
        }

        public StoreConfig(String type, String url, int poolSize, int maxBatch, boolean fsync) {
            this(type, url, poolSize, maxBatch, fsync, DEFAULT_PARTITIONS);
        }

        /**
         * SQLite under the data dir, four read connections, batches of up to 512 writes, an fsync on every
         * commit: the one default for nodes and tests ({@code StoreOptions.defaults()} reads it from here).
         */
        public static StoreConfig defaults() {
            return new StoreConfig(SQLITE, null, 4, 512, true, DEFAULT_PARTITIONS, DynamoDbConfig.defaults());
        }

        @Override
        public String toString() {
            return "StoreConfig[type=" + type + ", poolSize=" + poolSize + ", maxBatch=" + maxBatch + ", fsync="
                    + fsync + ", partitions=" + partitions + ", dynamodb=" + dynamodb + "]";
        }
    }

    /**
     * Where the DynamoDB tables of {@code store.type: dynamodb} are. Credentials come from the default AWS
     * chain (environment, profile, instance role), never from this file.
     *
     * @param endpoint    null for the region's AWS endpoint, else e.g. an emulator's {@code http://127.0.0.1:4567}
     * @param region      the AWS region
     * @param tablePrefix prepended to every table name, so several deployments can share an account
     */
    public record DynamoDbConfig(String endpoint, String region, String tablePrefix) {
        public static final String DEFAULT_REGION = "us-east-1";
        public static final String DEFAULT_PREFIX = "parley_";

        public DynamoDbConfig {
            region = region == null || region.isBlank() ? DEFAULT_REGION : region;
            tablePrefix = tablePrefix == null ? DEFAULT_PREFIX : tablePrefix;
            if (!tablePrefix.matches("[A-Za-z0-9_.-]{0,200}")) {
                throw new IllegalArgumentException("store.dynamodb.tablePrefix may hold only A-Z a-z 0-9 _ . -");
            }
            if (endpoint != null && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                throw new IllegalArgumentException("store.dynamodb.endpoint must be an http(s) URL");
            }
        }

        public static DynamoDbConfig defaults() {
            return new DynamoDbConfig(null, DEFAULT_REGION, DEFAULT_PREFIX);
        }
    }

    /**
     * Which event bus connects the nodes ({@code local} = this process only; {@code redis} also moves presence
     * and rate limits to Redis).
     *
     * @param prefix      prepended to every Redis key and channel, so several clusters can share one Redis
     * @param sharded     use Redis 7 sharded pub/sub ({@code SSUBSCRIBE}/{@code SPUBLISH}), for Redis Cluster
     * @param cluster     {@code url} names Redis Cluster seed nodes (comma-separated): connect as a cluster client
     * @param presenceTtlMs how long a connection counts as online without a heartbeat (a crashed node's users
     *                    go offline after about this long)
     */
    /**
     * The shared medium of a cluster.
     *
     * @param url               Redis: the bus ({@code redis}), or presence, rate limits and sessions ({@code jetstream})
     * @param streamUrl         {@code jetstream} only: the NATS servers ({@code nats://host:port}, comma-separated)
     * @param streamRetentionMs {@code jetstream} only: how long the stream keeps events (the longest outage a node
     *                          catches up from by replay)
     */
    public record BusConfig(String type, String url, String prefix, boolean sharded, boolean cluster,
                            long presenceTtlMs, String streamUrl, long streamRetentionMs) {
        public static final String LOCAL = "local";
        public static final String REDIS = "redis";
        public static final String JETSTREAM = "jetstream";
        public static final String DEFAULT_PREFIX = "parley:";
        public static final long DEFAULT_PRESENCE_TTL_MS = 30_000;
        public static final long DEFAULT_STREAM_RETENTION_MS = 3_600_000;

        public BusConfig {
            if (!LOCAL.equals(type) && !REDIS.equals(type) && !JETSTREAM.equals(type)) {
                throw new IllegalArgumentException("bus.type must be local, redis or jetstream, not " + type);
            }
            if ((REDIS.equals(type) || JETSTREAM.equals(type))
                    && (url == null || !(url.startsWith("redis://") || url.startsWith("rediss://")))) {
                throw new IllegalArgumentException("bus.url must be a redis:// or rediss:// URL for bus.type " + type
                        + (JETSTREAM.equals(type) ? " (presence, rate limits and sessions stay on Redis)" : ""));
            }
            if (JETSTREAM.equals(type) && (streamUrl == null || !(streamUrl.startsWith("nats://")
                    || streamUrl.startsWith("tls://")))) {
                throw new IllegalArgumentException("bus.streamUrl must be a nats:// or tls:// URL for bus.type jetstream");
            }
            prefix = prefix == null ? DEFAULT_PREFIX : prefix;
            if (presenceTtlMs < 1_000) {
                throw new IllegalArgumentException("bus.presenceTtlMs must be at least 1000");
            }
            if (streamRetentionMs < 60_000) {
                throw new IllegalArgumentException("bus.streamRetentionMs must be at least 60000");
            }
        }

        public BusConfig(String type, String url, String prefix, boolean sharded, boolean cluster,
                         long presenceTtlMs) {
            this(type, url, prefix, sharded, cluster, presenceTtlMs, null, DEFAULT_STREAM_RETENTION_MS);
        }

        public BusConfig(String type, String url) {
            this(type, url, DEFAULT_PREFIX, false, false, DEFAULT_PRESENCE_TTL_MS);
        }

        @Override
        public String toString() {
            return "BusConfig[type=" + type + ", prefix=" + prefix + ", sharded=" + sharded + ", cluster=" + cluster
                    + "]";
        }
    }

    /** Argon2id cost; the defaults follow current OWASP guidance (19 MiB, 2 passes). */
    public record PasswordConfig(int memoryKib, int iterations) {
        public PasswordConfig {
            if (memoryKib < 8 || iterations < 1) {
                throw new IllegalArgumentException("password.memoryKib must be >= 8 and iterations >= 1");
            }
        }

        public static PasswordConfig defaults() {
            return new PasswordConfig(19 * 1024, 2);
        }
    }

    /** Embedded defaults: SQLite under {@code dataDir}, in-process bus, default limits, all interfaces. */
    public static ServerConfig embedded(Path dataDir, int port) {
        return new ServerConfig("0.0.0.0", port, dataDir, "node-1",
                StoreConfig.defaults(),
                new BusConfig(BusConfig.LOCAL, null), Limits.defaults(), 1024 * 1024, 1024 * 1024, List.of(),
                PasswordConfig.defaults(), MediaConfig.defaults(), ConnectionConfig.defaults(),
                SecurityConfig.defaults(), RateBudgets.defaults(), MetricsConfig.defaults(),
                MqttConfig.defaults(), OutboundConfig.defaults(), IntegrationConfig.defaults(), PushConfig.defaults(),
                NodeRoles.all());
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withSendRate(double perSecond) {
        return withLimits(limits.withSendRate(perSecond));
    }

    public ServerConfig withLimits(Limits newLimits) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, newLimits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withBus(BusConfig newBus) {
        return new ServerConfig(host, port, dataDir, nodeId, store, newBus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withStore(StoreConfig newStore) {
        return new ServerConfig(host, port, dataDir, nodeId, newStore, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withAllowedOrigins(List<String> origins) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                origins, password, media, connections, security, budgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withMaxFrameBytes(int bytes) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, bytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withMedia(MediaConfig newMedia) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, newMedia, connections, security, budgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withPassword(PasswordConfig newPassword) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, newPassword, media, connections, security, budgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withConnections(ConnectionConfig newConnections) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, newConnections, security, budgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withSecurity(SecurityConfig newSecurity) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, newSecurity, budgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withBudgets(RateBudgets newBudgets) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, newBudgets, metrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withMetrics(MetricsConfig newMetrics) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, newMetrics, mqtt, outbound, integration, push, roles);
    }

    public ServerConfig withMqtt(MqttConfig newMqtt) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, metrics, newMqtt, outbound, integration, push, roles);
    }

    public ServerConfig withOutbound(OutboundConfig newOutbound) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, metrics, mqtt, newOutbound, integration, push, roles);
    }

    public ServerConfig withIntegration(IntegrationConfig newIntegration) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, metrics, mqtt, outbound, newIntegration, push, roles);
    }

    public ServerConfig withPush(PushConfig newPush) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, metrics, mqtt, outbound, integration, newPush, roles);
    }

    public ServerConfig withRoles(NodeRoles newRoles) {
        return new ServerConfig(host, port, dataDir, nodeId, store, bus, limits, maxFrameBytes, maxHttpBodyBytes,
                allowedOrigins, password, media, connections, security, budgets, metrics, mqtt, outbound, integration, push,
                newRoles);
    }
}
