package dev.parley.server.backplane.redis;

/** The bus contract on a real three-shard Redis Cluster with sharded pub/sub (slot-routed SSUBSCRIBE/SPUBLISH). */
class ClusterRedisEventBusTest extends RedisEventBusTest {
    @Override
    protected boolean sharded() {
        return true;
    }

    @Override
    protected boolean cluster() {
        return true;
    }

    @Override
    protected String url() {
        return TestRedisCluster.url();
    }
}
