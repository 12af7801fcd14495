package dev.parley.server.gateway;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Connection accounting per client address, on this node only (in memory; a client spread over several
 * nodes holds up to the cap on each): how many connections each address holds open, a token bucket of
 * new connections per address, and how many connections from each TCP peer have not yet said who they
 * are (sent a request head). Thread-safe; every update of one address is atomic.
 */
public final class AddressLimits {
    /** What a client over the open-connection cap is told to wait: connections close all the time. */
    static final long CAP_RETRY_AFTER_MS = 5_000;

    private final int maxOpen;
    private final double perSecond;
    private final int burst;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** Guarded by the map's per-key lock (only touched inside {@code compute}). */
    private static final class Entry {
        int open;
        int pending;
        double tokens;
        long refilledAtNanos;
    }

    /**
     * @param maxOpen   open connections per address; 0 = no cap
     * @param perSecond new connections per second per address; 0 = no rate
     * @param burst     new connections an address may open at once
     */
    public AddressLimits(int maxOpen, double perSecond, int burst, LongSupplier nanoTime) {
        this.maxOpen = maxOpen;
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /** Whether any limit is on at all (when not, callers may skip the accounting). */
    public boolean enabled() {
        return maxOpen > 0 || perSecond > 0;
    }

    /**
     * Counts a new connection of {@code key} if it is within the rate and the cap; else counts nothing.
     *
     * @return 0 when admitted (the caller must {@link #release} it once), else how long to wait in ms
     */
    public long admit(String key) {
        long[] retry = {0};
        entries.compute(key, (k, e) -> {
            Entry x = e == null ? fresh() : e;
            refill(x);
            if (maxOpen > 0 && x.open >= maxOpen) {
                retry[0] = CAP_RETRY_AFTER_MS;
            } else if (perSecond > 0 && x.tokens < 1) {
                retry[0] = Math.max(1, (long) Math.ceil((1 - x.tokens) / perSecond * 1000));
            } else {
                if (perSecond > 0) {
                    x.tokens -= 1;
                }
                x.open++;
            }
            return x;
        });
        return retry[0];
    }

    /** Ends a connection that {@link #admit} counted. */
    public void release(String key) {
        entries.computeIfPresent(key, (k, x) -> {
            x.open = Math.max(0, x.open - 1);
            return x;
        });
    }

    /**
     * Counts a connection from a TCP peer that has not sent a request head yet, unless the peer already has
     * as many of those as the open cap (a proxy never has hundreds of silent connections; a flood does).
     *
     * @return false when over: close the connection
     */
    public boolean holdPending(String peerKey) {
        boolean[] ok = {true};
        entries.compute(peerKey, (k, e) -> {
            Entry x = e == null ? fresh() : e;
            if (maxOpen > 0 && x.pending >= maxOpen) {
                ok[0] = false;
            } else {
                x.pending++;
            }
            return x;
        });
        return ok[0];
    }

    /** Ends a {@link #holdPending} (the request head arrived, or the connection closed). */
    public void releasePending(String peerKey) {
        entries.computeIfPresent(peerKey, (k, x) -> {
            x.pending = Math.max(0, x.pending - 1);
            return x;
        });
    }

    /** Open connections {@link #admit}ted for {@code key} now. */
    public int openOf(String key) {
        Entry x = entries.get(key);
        return x == null ? 0 : x.open;
    }

    /** Forgets addresses with nothing open and a full bucket, so the map holds only active clients. */
    public void sweep() {
        for (String key : entries.keySet()) {
            entries.computeIfPresent(key, (k, x) -> {
                refill(x);
                return x.open == 0 && x.pending == 0 && (perSecond <= 0 || x.tokens >= burst) ? null : x;
            });
        }
    }

    int addresses() {
        return entries.size();
    }

    private Entry fresh() {
        Entry x = new Entry();
        x.tokens = burst;
        x.refilledAtNanos = nanoTime.getAsLong();
        return x;
    }

    private void refill(Entry x) {
        long now = nanoTime.getAsLong();
        if (perSecond > 0) {
            x.tokens = Math.min(burst, x.tokens + (now - x.refilledAtNanos) / 1e9 * perSecond);
        }
        x.refilledAtNanos = now;
    }
}
