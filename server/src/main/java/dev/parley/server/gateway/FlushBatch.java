package dev.parley.server.gateway;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;

/**
 * One flush per socket per event-loop batch: writes go to the channel unflushed, and the first write on a
 * loop schedules one task that flushes every socket written since, so a fan-out that writes to a thousand
 * sockets, a client that pipelines fifty commands, or a PUBACK for each of a burst of MQTT PUBLISHes, costs one
 * flush (one system call) per socket rather than one per frame. Shared by the WebSocket and MQTT gateways'
 * sockets; confined to its event loop.
 */
public final class FlushBatch implements Runnable {

    /** A socket whose channel was written without a flush. */
    public interface Flushable {
        /** Flushes the channel; called on its event loop by the batch. */
        void flushNow();
    }

    private static final FastThreadLocal<FlushBatch> OF_LOOP = new FastThreadLocal<>() {
        @Override
        protected FlushBatch initialValue() {
            return new FlushBatch();
        }
    };

    private ArrayList<Flushable> dirty = new ArrayList<>();
    private ArrayList<Flushable> flushing = new ArrayList<>();
    private boolean scheduled;
    private EventLoop loop;

    /** Marks {@code socket} for the loop's next flush. Call on {@code loop}, once per batch per socket. */
    public static void add(Flushable socket, EventLoop loop) {
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
        ArrayList<Flushable> now = dirty;
        dirty = flushing;
        flushing = now;
        for (Flushable s : now) {
            s.flushNow();
        }
        now.clear();
    }
}
