package dev.parley.server.gateway.ws;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The liveness timers of one event loop's sockets (hello timeout, pings, pong timeout) as one sweep instead of a
 * scheduled task per socket: the armed sockets are linked in a list through their own fields, and while any is
 * armed one periodic task on the loop fires those whose time has come. A socket's timer thus costs it a deadline
 * and two links, and fires up to one tick late. Confined to its event loop.
 */
final class LoopTimer implements Runnable {
    private final EventLoop loop;
    private final long tickNanos;
    /** The armed sockets, most recently armed first. */
    private NettySocket head;
    private ScheduledFuture<?> ticking;

    LoopTimer(EventLoop loop, long tickMs) {
        this.loop = loop;
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMs);
    }

    /** The sweep's period for the given liveness timings: a tenth of the shortest, between 10 ms and 1 s. */
    static long tickMs(long... timingsMs) {
        long shortest = Long.MAX_VALUE;
        for (long t : timingsMs) {
            shortest = Math.min(shortest, t);
        }
        return Math.clamp(shortest / 10, 10, 1_000);
    }

    /** (Re-)arms {@code s} to fire {@code delayMs} from now. */
    void arm(NettySocket s, long delayMs) {
        s.timerDueNanos = loop.ticker().nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
        if (!s.timerArmed) {
            s.timerArmed = true;
            s.timerPrev = null;
            s.timerNext = head;
            if (head != null) {
                head.timerPrev = s;
            }
            head = s;
        }
        if (ticking == null) {
            ticking = loop.scheduleAtFixedRate(this, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Disarms {@code s} if armed. */
    void disarm(NettySocket s) {
        if (!s.timerArmed) {
            return;
        }
        s.timerArmed = false;
        NettySocket prev = s.timerPrev;
        NettySocket next = s.timerNext;
        if (prev == null) {
            head = next;
        } else {
            prev.timerNext = next;
        }
        if (next != null) {
            next.timerPrev = prev;
        }
        s.timerPrev = null;
        s.timerNext = null;
    }

    /** Number of armed sockets (tests). */
    int armed() {
        int n = 0;
        for (NettySocket s = head; s != null; s = s.timerNext) {
            n++;
        }
        return n;
    }

    /** One sweep: fires every socket whose deadline has passed; stops ticking once none is armed. */
    @Override
    public void run() {
        long now = loop.ticker().nanoTime();
        NettySocket s = head;
        while (s != null) {
            NettySocket next = s.timerNext;
            if (now - s.timerDueNanos >= 0) {
                disarm(s);
                s.timerFired(); // may re-arm s: it goes to the head, not visited again in this sweep
            }
            s = next;
        }
        if (head == null && ticking != null) {
            ticking.cancel(false);
            ticking = null;
        }
    }
}
