package dev.parley.server.backplane.redis;

/** The same contract on Redis 7 sharded pub/sub ({@code SSUBSCRIBE}/{@code SPUBLISH}). */
class ShardedRedisEventBusTest extends RedisEventBusTest {
    @Override
    protected boolean sharded() {
        return true;
    }
}
