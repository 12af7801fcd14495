package dev.parley.server.backplane.redis;


/** The presence contract on a real three-shard Redis Cluster (each user's keys in one slot by hash tag). */
class ClusterRedisPresenceStoreTest extends RedisPresenceStoreTest {
    @Override
    protected boolean cluster() {
        return true;
    }

    @Override
    protected String url() {
        return TestRedisCluster.url();
    }

    @Override
    protected void deleteKeys() {
        TestRedisCluster.deleteKeys(prefix);
    }
}
