package dev.parley.server.gateway.ws;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/** A {@link ClientSocket} that records what the gateway does to it; timers run when the test says so. */
final class RecordingSocket implements ClientSocket {
    /** Every recording socket shares one "loop": tasks run at once on the calling thread. */
    static final Executor LOOP = Runnable::run;

    final List<String> written = new CopyOnWriteArrayList<>();
    final List<Runnable> timers = new ArrayList<>();
    volatile CloseCode closedWith;
    volatile boolean abandoned;
    volatile boolean writable = true;
    volatile boolean pastHardBound;
    volatile boolean paused;
    volatile int pings;

    @Override
    public void write(OutFrame frame) {
        if (closedWith == null) {
            written.add(frame.json());
        }
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public boolean pastHardBound() {
        return pastHardBound;
    }

    @Override
    public void ping() {
        pings++;
    }

    @Override
    public void close(CloseCode code, String reason) {
        if (closedWith == null) {
            closedWith = code;
        }
    }

    @Override
    public void abandon(CloseCode code, String reason) {
        close(code, reason);
        abandoned = true;
    }

    @Override
    public void pauseReading() {
        paused = true;
    }

    @Override
    public void resumeReading() {
        paused = false;
    }

    @Override
    public Executor loop() {
        return LOOP;
    }

    @Override
    public synchronized Runnable schedule(long delayMs, Runnable task) {
        timers.add(task);
        return () -> {
            synchronized (this) {
                timers.remove(task);
            }
        };
    }

    /** The liveness timer as armed now (it is also among {@link #timers}); null when not armed. */
    Runnable armed;

    @Override
    public synchronized void armTimer(long delayMs, Runnable check) {
        if (armed != null) {
            timers.remove(armed);
        }
        armed = check;
        timers.add(check);
    }

    @Override
    public synchronized void disarmTimer() {
        if (armed != null) {
            timers.remove(armed);
            armed = null;
        }
    }

    /** Runs the timers pending now (not the ones they set). */
    void fireTimers() {
        List<Runnable> due;
        synchronized (this) {
            due = new ArrayList<>(timers);
            timers.clear();
            armed = null;
        }
        due.forEach(Runnable::run);
    }

    /** Frames written so far whose JSON has {@code "t":"<type>"}. */
    List<String> ofType(String type) {
        return written.stream().filter(j -> j.contains("\"t\":\"" + type + "\"")).toList();
    }
}
