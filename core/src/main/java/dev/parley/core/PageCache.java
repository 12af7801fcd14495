package dev.parley.core;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sync pages as a gateway sends them ({@code V}, e.g. encoded bytes), kept per conversation for the
 * conversation's {@code lastSeq} they were read at. After a reconnect storm thousands of clients ask for the
 * same few pages (many members share each conversation, and they all left at the same entry): each page is
 * then read from the store once instead of once per client.
 *
 * <p>Exact, on one node and across nodes on one database, without any invalidation message: every change
 * to a conversation's entries is an append (a delete is itself an entry, committed together with its
 * erasures), so a page read while {@code lastSeq} was {@code L} is still exact while {@code lastSeq} is
 * {@code L}, and a caller looks pages up with the {@code lastSeq} it has just read ({@link
 * dev.parley.core.port.MessageStore#lastSeq}). A conversation keeps pages of its newest {@code lastSeq}
 * only: a page of an older one can never be asked for again and is dropped as soon as a newer one is put.
 *
 * <p>Bounded by the sum of the pages' weights (e.g. their bytes): past {@code maxWeight}, whole
 * conversations are dropped until a quarter is free. Thread-safe; lookups take no lock.
 */
public final class PageCache<V> {
    /** What each page costs besides its own weight (keys, map nodes). */
    static final long OVERHEAD = 96;

    /** Weighs a page (e.g. its bytes); only the cache's bound depends on it. */
    @FunctionalInterface
    public interface Weigher<V> {
        long weigh(V page);
    }

    /** Where a page starts and how long it may be; equals by hand (a record's go through method handles). */
    private static final class Key {
        final long afterSeq;
        final int limit;

        Key(long afterSeq, int limit) {
            this.afterSeq = afterSeq;
            this.limit = limit;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.afterSeq == afterSeq && k.limit == limit;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(afterSeq) * 31 + limit;
        }
    }

    /** One conversation's pages, all read at {@code lastSeq}. */
    private static final class Pages<V> {
        final long lastSeq;
        final ConcurrentHashMap<Key, V> pages = new ConcurrentHashMap<>();
        /** Sum of this conversation's page weights; changed under the cache's lock. */
        long weight;

        Pages(long lastSeq) {
            this.lastSeq = lastSeq;
        }
    }

    private final long maxWeight;
    private final Weigher<V> weigher;
    private final ConcurrentHashMap<String, Pages<V>> conversations = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final Object lock = new Object();
    /** Sum of every conversation's weight; changed under {@link #lock}. */
    private long weight;

    /** @param maxWeight the most the pages may weigh together; 0 keeps nothing */
    public PageCache(long maxWeight, Weigher<V> weigher) {
        if (maxWeight < 0) {
            throw new IllegalArgumentException("maxWeight must be ≥ 0");
        }
        this.maxWeight = maxWeight;
        this.weigher = weigher;
    }

    /** The page after {@code afterSeq} of at most {@code limit} entries read at {@code lastSeq}, or null. */
    public V get(String conversationId, long afterSeq, int limit, long lastSeq) {
        Pages<V> p = conversations.get(conversationId);
        V page = p == null || p.lastSeq != lastSeq ? null : p.pages.get(new Key(afterSeq, limit));
        if (page == null) {
            misses.increment();
        } else {
            hits.increment();
        }
        return page;
    }

    /**
     * Keeps a page read while the conversation's {@code lastSeq} was {@code lastSeq} (the caller has made sure
     * of that). Pages of an older {@code lastSeq} are dropped; a page older than those kept is not kept.
     */
    public void put(String conversationId, long afterSeq, int limit, long lastSeq, V page) {
        long w = weigher.weigh(page) + OVERHEAD;
        if (w > maxWeight) {
            return;
        }
        synchronized (lock) {
            Pages<V> p = conversations.get(conversationId);
            if (p != null && p.lastSeq > lastSeq) {
                return;
            }
            if (p == null || p.lastSeq < lastSeq) {
                if (p != null) {
                    weight -= p.weight;
                }
                p = new Pages<>(lastSeq);
                conversations.put(conversationId, p);
            }
            if (weight + w > maxWeight) {
                shrink(maxWeight - maxWeight / 4 - w, p);
            }
            V before = p.pages.put(new Key(afterSeq, limit), page);
            if (before != null) {
                long b = weigher.weigh(before) + OVERHEAD;
                p.weight -= b;
                weight -= b;
            }
            p.weight += w;
            weight += w;
        }
    }

    /** Drops conversations (any but {@code keep}, then {@code keep}'s other pages) until at most {@code target}. */
    private void shrink(long target, Pages<V> keep) {
        Iterator<Map.Entry<String, Pages<V>>> it = conversations.entrySet().iterator();
        while (weight > target && it.hasNext()) {
            Pages<V> p = it.next().getValue();
            if (p != keep) {
                it.remove();
                weight -= p.weight;
            }
        }
        if (weight > target) {
            weight -= keep.weight;
            keep.weight = 0;
            keep.pages.clear();
        }
    }

    /** Lookups that found their page. */
    public long hits() {
        return hits.sum();
    }

    /** Lookups that did not. */
    public long misses() {
        return misses.sum();
    }

    /** What the pages kept weigh together, overheads included. */
    public long weight() {
        synchronized (lock) {
            return weight;
        }
    }

    /** Pages kept. */
    public int size() {
        int n = 0;
        for (Pages<V> p : conversations.values()) {
            n += p.pages.size();
        }
        return n;
    }
}
