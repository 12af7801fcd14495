package dev.parley.server.backplane.redis;


/** The rate-limiter contract on a real three-shard Redis Cluster. */
class ClusterRedisRateLimiterTest extends RedisRateLimiterTest {
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
