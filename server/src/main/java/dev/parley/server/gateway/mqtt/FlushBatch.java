package dev.parley.server.gateway.mqtt;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;

/**
 * One flush per MQTT socket per event-loop batch: packets go to the channel unflushed, and the first write on
 * a loop schedules one task that flushes every socket written since, so a fan-out over many connections, or a
 * PUBACK for each of a burst of PUBLISHes, costs one flush (one system call) per socket rather than one per
 * packet. Confined to its event loop. (The WebSocket gateway has the same mechanism for its own sockets.)
 */
final class FlushBatch implements Runnable {
    private static final FastThreadLocal<FlushBatch> OF_LOOP = new FastThreadLocal<>() {
        @Override
        protected FlushBatch initialValue() {
            return new FlushBatch();
        }
    };

    private ArrayList<MqttLink.Tcp> dirty = new ArrayList<>();
    private ArrayList<MqttLink.Tcp> flushing = new ArrayList<>();
    private boolean scheduled;
    private EventLoop loop;

    /** Marks {@code link} for the loop's next flush. Call on {@code loop}, once per batch per link. */
    static void add(MqttLink.Tcp link, EventLoop loop) {
        FlushBatch batch = OF_LOOP.get();
        if (batch.scheduled && batch.loop != loop) {
            batch.run(); // one thread, several loops (embedded test channels only): flush the other's now
        }
        batch.dirty.add(link);
        if (!batch.scheduled) {
            batch.scheduled = true;
            batch.loop = loop;
            loop.execute(batch);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        // Swap the lists: a link written while this batch flushes joins the next batch.
        ArrayList<MqttLink.Tcp> now = dirty;
        dirty = flushing;
        flushing = now;
        for (MqttLink.Tcp link : now) {
            link.flushNow();
        }
        now.clear();
    }
}
