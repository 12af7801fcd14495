package dev.parley.server.store.dynamo;

import static dev.parley.server.store.dynamo.Dynamo.n;
import static dev.parley.server.store.dynamo.Dynamo.num;
import static dev.parley.server.store.dynamo.Dynamo.s;
import static dev.parley.server.store.dynamo.Dynamo.str;

import dev.parley.core.Device;
import dev.parley.core.port.AccountStore;
import dev.parley.core.port.KeyPackageStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link KeyPackageStore} on DynamoDB: a device's packages are one partition of {@code key_packages}, numbered
 * oldest first; item {@code n = 0} counts them ({@code cnt}) and numbers new ones ({@code next}).
 *
 * <p>A claim first <b>reserves</b> a removal — {@code cnt = cnt - 1} only if {@code cnt > 1}, so the count never
 * goes below one — then deletes the oldest package it can win (conditional DeleteItem returning the item; a
 * package another claimer deleted first is skipped). Reservations never outnumber the packages older than the
 * newest, so the newest survives: it is the last-resort package, which a claim without a reservation returns
 * without removing. Every package is therefore handed out once, except the last resort.
 */
public final class DynamoKeyPackageStore implements KeyPackageStore {
    private final Dynamo db;
    private final AccountStore accounts;

    /** {@code accounts}: the account store on the same tables (which devices are active). */
    public DynamoKeyPackageStore(DynamoStores stores) {
        this.db = stores.dynamo();
        this.accounts = stores.accounts();
    }

    private Map<String, AttributeValue> counterKey(String deviceId) {
        return Dynamo.key("did", deviceId, "n", n(0));
    }

    /**
     * Numbers the packages ({@code next}), writes them (BatchWriteItem), then raises the count if that keeps it
     * within {@code maxHeld}; if not, deletes them again. A crash in between leaves packages that the count
     * does not include (at most one upload's worth above the limit), never a count above what is stored.
     */
    @Override
    public OptionalInt add(String userId, String deviceId, List<byte[]> packages, int maxHeld) {
        int k = packages.size();
        if (k > maxHeld) {
            return OptionalInt.empty();
        }
        if (k == 0) {
            return OptionalInt.of(count(deviceId));
        }
        Map<String, AttributeValue> numbered = db.update(UpdateItemRequest.builder().tableName(db.keyPackages)
                .key(counterKey(deviceId))
                .updateExpression("SET #next = if_not_exists(#next, :zero) + :k")
                .expressionAttributeNames(Map.of("#next", "next"))
                .expressionAttributeValues(Map.of(":zero", n(0), ":k", n(k))).returnValues("UPDATED_NEW").build())
                .orElseThrow();
        long first = num(numbered, "next") - k + 1;
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            items.add(Map.of("did", s(deviceId), "n", n(first + i), "uid", s(userId),
                    "pkg", AttributeValue.fromB(SdkBytes.fromByteArray(packages.get(i)))));
        }
        db.batchPut(Map.of(db.keyPackages, items));
        Optional<Map<String, AttributeValue>> counted = db.update(UpdateItemRequest.builder()
                .tableName(db.keyPackages).key(counterKey(deviceId))
                .updateExpression("SET cnt = if_not_exists(cnt, :zero) + :k")
                .conditionExpression("attribute_not_exists(cnt) OR cnt <= :room")
                .expressionAttributeValues(Map.of(":zero", n(0), ":k", n(k), ":room", n(maxHeld - k)))
                .returnValues("UPDATED_NEW").build());
        if (counted.isEmpty()) {
            for (var item : items) {
                db.client().deleteItem(b -> b.tableName(db.keyPackages).key(Map.of("did", item.get("did"),
                        "n", item.get("n"))));
            }
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) num(counted.get(), "cnt"));
    }

    @Override
    public List<Claimed> claim(Collection<String> userIds) {
        List<Claimed> out = new ArrayList<>();
        for (String userId : new TreeSet<>(userIds)) {
            for (Device device : accounts.activeDevicesOf(userId)) {
                claimOne(userId, device.deviceId()).ifPresent(out::add);
            }
        }
        return out;
    }

    private Optional<Claimed> claimOne(String userId, String deviceId) {
        boolean reserved = db.update(UpdateItemRequest.builder().tableName(db.keyPackages).key(counterKey(deviceId))
                .updateExpression("SET cnt = cnt - :one").conditionExpression("cnt > :one")
                .expressionAttributeValues(Map.of(":one", n(1))).build()).isPresent();
        if (!reserved) {
            // One package or none: the last resort (the newest), handed out and kept.
            return packages(deviceId, false, 1).stream().findFirst()
                    .map(item -> new Claimed(userId, deviceId, item.get("pkg").b().asByteArray()));
        }
        for (int round = 0; round < 50; round++) {
            for (var item : packages(deviceId, true, 25)) {
                try {
                    var deleted = db.client().deleteItem(b -> b.tableName(db.keyPackages)
                            .key(Map.of("did", item.get("did"), "n", item.get("n")))
                            .conditionExpression("attribute_exists(n)").returnValues("ALL_OLD"));
                    if (deleted.hasAttributes() && !deleted.attributes().isEmpty()) {
                        return Optional.of(new Claimed(str(deleted.attributes(), "uid") == null ? userId
                                : str(deleted.attributes(), "uid"), deviceId,
                                deleted.attributes().get("pkg").b().asByteArray()));
                    }
                } catch (ConditionalCheckFailedException takenMeanwhile) {
                    // another claimer won this one: try the next oldest
                }
            }
            Dynamo.backOff(1);
        }
        throw new IllegalStateException("no key package to claim for device " + deviceId + " although one was counted");
    }

    /** The device's packages, oldest first or newest first, at most {@code limit}. */
    private List<Map<String, AttributeValue>> packages(String deviceId, boolean oldestFirst, int limit) {
        return db.query(QueryRequest.builder().tableName(db.keyPackages)
                .keyConditionExpression("did = :d AND n > :zero")
                .expressionAttributeValues(Map.of(":d", s(deviceId), ":zero", n(0)))
                .scanIndexForward(oldestFirst).limit(limit).build(), limit);
    }

    @Override
    public int count(String deviceId) {
        return db.get(db.keyPackages, counterKey(deviceId)).map(i -> (int) num(i, "cnt")).orElse(0);
    }
}
