package dev.parley.server.store.dynamo;

import static dev.parley.server.store.dynamo.Dynamo.n;
import static dev.parley.server.store.dynamo.Dynamo.num;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The change versions list sync compares ({@code MessageStore.changesSince}), on one item of the conversations
 * table: {@code next} (the last version handed out) and {@code pending} (version by writer token, for writes
 * that took a version and have not made their change visible yet).
 *
 * <p>A writer {@link #reserve reserves} a version (one conditional update sets both, so the version is
 * pending from the moment it exists), stamps its change with it, then {@link #release releases} it. A reader
 * takes its version with {@link #horizon}: {@code next} if nothing is pending, else one below the oldest
 * pending version. Every change not yet visible to a reader therefore has a version above the one it
 * returns — nothing is missed, at worst something is returned twice. A token left by a crashed writer is
 * dropped once older than {@link #STALE_MS}; a writer whose token was dropped ({@link #release} says so) stamps
 * its changes again with a fresh version, so that rule too keeps nothing hidden.
 */
final class VersionClock {
    static final String ITEM = "#version";
    static final long STALE_MS = 60_000;

    private final Dynamo db;
    private final String node = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong tokens = new AtomicLong();

    VersionClock(Dynamo db) {
        this.db = db;
    }

    /** One reserved, still pending version. */
    record Reservation(String token, long version) {
    }

    void createIfMissing() {
        db.putIf(db.conversations,
                Map.of("id", Dynamo.s(ITEM), "next", n(0), "pending", AttributeValue.fromM(Map.of())),
                "attribute_not_exists(id)", null, null);
    }

    Reservation reserve() {
        String token = node + "-" + tokens.incrementAndGet() + "-" + System.currentTimeMillis();
        Map<String, AttributeValue> item = db.update(UpdateItemRequest.builder().tableName(db.conversations)
                .key(Dynamo.key("id", ITEM))
                .updateExpression("SET #next = #next + :one, #pending.#t = #next + :one")
                .expressionAttributeNames(Map.of("#next", "next", "#pending", "pending", "#t", token))
                .expressionAttributeValues(Map.of(":one", n(1)))
                .returnValues("ALL_NEW").build()).orElseThrow();
        dropStale(item);
        return new Reservation(token, num(item, "next"));
    }

    /**
     * Makes the version no longer pending.
     *
     * @return false if the token had been dropped as stale meanwhile: the caller must stamp its changes again
     */
    boolean release(Reservation reservation) {
        return db.update(UpdateItemRequest.builder().tableName(db.conversations).key(Dynamo.key("id", ITEM))
                .updateExpression("REMOVE #pending.#t").conditionExpression("attribute_exists(#pending.#t)")
                .expressionAttributeNames(Map.of("#pending", "pending", "#t", reservation.token())).build())
                .isPresent();
    }

    /** The version a list sync returns: below every version whose change may not be visible yet. */
    long horizon() {
        Map<String, AttributeValue> item = db.get(db.conversations, Dynamo.key("id", ITEM)).orElseThrow();
        long horizon = num(item, "next");
        AttributeValue pending = item.get("pending");
        if (pending != null && pending.hasM()) {
            for (AttributeValue v : pending.m().values()) {
                horizon = Math.min(horizon, Long.parseLong(v.n()) - 1);
            }
        }
        return horizon;
    }

    private void dropStale(Map<String, AttributeValue> item) {
        AttributeValue pending = item.get("pending");
        if (pending == null || !pending.hasM()) {
            return;
        }
        long now = System.currentTimeMillis();
        for (var e : new HashMap<>(pending.m()).entrySet()) {
            String token = e.getKey();
            long issued = Long.parseLong(token.substring(token.lastIndexOf('-') + 1));
            if (now - issued > STALE_MS) {
                db.update(UpdateItemRequest.builder().tableName(db.conversations).key(Dynamo.key("id", ITEM))
                        .updateExpression("REMOVE #pending.#t").conditionExpression("#pending.#t = :v")
                        .expressionAttributeNames(Map.of("#pending", "pending", "#t", token))
                        .expressionAttributeValues(Map.of(":v", e.getValue())).build());
            }
        }
    }
}
