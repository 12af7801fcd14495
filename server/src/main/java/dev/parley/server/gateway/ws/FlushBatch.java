package dev.parley.server.gateway.ws;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;

/**
 * One flush per socket per event-loop batch: writes go to the channel unflushed, and the first write on a
 * loop schedules one task that flushes every socket written since, so a fan-out that writes to a thousand
 * sockets, or a client that pipelines fifty commands, costs one flush per socket rather than one per frame.
 * Confined to its event loop.
 */
final class FlushBatch implements Runnable {
    private static final FastThreadLocal<FlushBatch> OF_LOOP = new FastThreadLocal<>() {
        @Override
        protected FlushBatch initialValue() {
            return new FlushBatch();
        }
    };

    private ArrayList<NettySocket> dirty = new ArrayList<>();
    private ArrayList<NettySocket> flushing = new ArrayList<>();
    private boolean scheduled;
    private EventLoop loop;

    /** Marks {@code socket} for the loop's next flush. Call on {@code loop}, once per batch per socket. */
    static void add(NettySocket socket, EventLoop loop) {
        FlushBatch batch = OF_LOOP.get();
        if (batch.scheduled && batch.loop != loop) {
            // One thread, several loops (only Netty's embedded test channels do that): flush the other's now.
            batch.run();
        }
        batch.dirty.add(socket);
        if (!batch.scheduled) {
            batch.scheduled = true;
            batch.loop = loop;
            loop.execute(batch);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        // Swap the lists: a socket written while this batch flushes (a flush can fire handlers) joins the next.
        ArrayList<NettySocket> now = dirty;
        dirty = flushing;
        flushing = now;
        for (NettySocket s : now) {
            s.flushNow();
        }
        now.clear();
    }
}
