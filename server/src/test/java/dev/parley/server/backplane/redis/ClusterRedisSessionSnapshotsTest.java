package dev.parley.server.backplane.redis;

/** The session-snapshot contract on a real three-shard Redis Cluster. */
class ClusterRedisSessionSnapshotsTest extends RedisSessionSnapshotsTest {
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
