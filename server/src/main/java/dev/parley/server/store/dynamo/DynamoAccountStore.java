package dev.parley.server.store.dynamo;

import static dev.parley.server.store.dynamo.Dynamo.bool;
import static dev.parley.server.store.dynamo.Dynamo.flag;
import static dev.parley.server.store.dynamo.Dynamo.n;
import static dev.parley.server.store.dynamo.Dynamo.num;
import static dev.parley.server.store.dynamo.Dynamo.s;
import static dev.parley.server.store.dynamo.Dynamo.str;

import dev.parley.core.Account;
import dev.parley.core.Device;
import dev.parley.core.port.AccountStore;
import dev.parley.server.store.jdbc.JdbcAccountStore;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * {@link AccountStore} on DynamoDB. One table holds four kinds of items, each under its own key prefix:
 * {@code u#<userId>} (the account), {@code h#<handleKey>} (a handle claim naming its user: handles are unique
 * through a conditional put of this item), {@code d#<deviceId>} (a device with its token hash and last use) and
 * {@code t#<hex token hash>} (naming its device, for sign-in by token). A second table lists each user's devices.
 *
 * <p>Without transactions (see {@code docs/dynamodb.md}) multi-item changes are ordered so that a crash in
 * between leaves nothing a reader trusts: a handle claim counts only if its account exists with that handle,
 * a token claim only if its device is active with that hash.
 */
public final class DynamoAccountStore implements AccountStore {
    private final Dynamo db;

    public DynamoAccountStore(Dynamo db) {
        this.db = db;
    }

    private static Map<String, AttributeValue> id(String id) {
        return Dynamo.key("id", id);
    }

    @Override
    public boolean createAccount(Account account) {
        String handle = "h#" + account.handleKey();
        Map<String, AttributeValue> claim = Map.of("id", s(handle), "uid", s(account.userId()));
        if (!db.putIf(db.accounts, claim, "attribute_not_exists(id)", null, null)) {
            // Taken, unless the claim is left over from a creation that never finished or a renamed account.
            String holder = db.get(db.accounts, id(handle)).map(i -> str(i, "uid")).orElse(null);
            if (holder != null && findAccountById(holder).filter(a -> a.handleKey().equals(account.handleKey()))
                    .isPresent()) {
                return false;
            }
            if (!db.putIf(db.accounts, claim, "attribute_not_exists(id) OR uid = :old", null,
                    Map.of(":old", s(String.valueOf(holder))))) {
                return false;
            }
        }
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", s("u#" + account.userId()));
        item.put("handle", s(account.handle()));
        item.put("hk", s(account.handleKey()));
        if (account.displayName() != null) {
            item.put("dn", s(account.displayName()));
        }
        item.put("ph", s(account.passwordHash()));
        item.put("created", n(account.createdAtMs()));
        if (!db.putIf(db.accounts, item, "attribute_not_exists(id)", null, null)) {
            throw new IllegalStateException("account " + account.userId() + " exists");
        }
        return true;
    }

    @Override
    public Optional<Account> findAccountById(String userId) {
        return db.get(db.accounts, id("u#" + userId)).map(i -> new Account(userId, str(i, "handle"), str(i, "hk"),
                str(i, "dn"), str(i, "ph"), num(i, "created")));
    }

    @Override
    public Optional<Account> findAccountByHandle(String handleKey) {
        return db.get(db.accounts, id("h#" + handleKey)).flatMap(claim -> findAccountById(str(claim, "uid")))
                .filter(a -> a.handleKey().equals(handleKey));
    }

    @Override
    public void createDevice(Device device) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", s("d#" + device.deviceId()));
        item.put("uid", s(device.userId()));
        if (device.name() != null) {
            item.put("name", s(device.name()));
        }
        item.put("th", AttributeValue.fromB(SdkBytes.fromByteArray(device.tokenHash())));
        item.put("created", n(device.createdAtMs()));
        item.put("used", n(device.lastUsedAtMs()));
        item.put("revoked", bool(false));
        if (!db.putIf(db.accounts, item, "attribute_not_exists(id)", null, null)) {
            throw new IllegalStateException("device " + device.deviceId() + " exists");
        }
        db.batchPut(Map.of(
                db.accounts, List.of(Map.of("id", s(tokenKey(device.tokenHash())), "did", s(device.deviceId()))),
                db.userDevices, List.of(Map.of("uid", s(device.userId()), "did", s(device.deviceId())))));
    }

    private static String tokenKey(byte[] tokenHash) {
        return "t#" + HexFormat.of().formatHex(tokenHash);
    }

    private static Device device(Map<String, AttributeValue> item) {
        return new Device(str(item, "id").substring(2), str(item, "uid"), str(item, "name"),
                item.get("th").b().asByteArray(), num(item, "created"), num(item, "used"));
    }

    private Optional<Map<String, AttributeValue>> activeDevice(String deviceId) {
        return db.get(db.accounts, id("d#" + deviceId)).filter(i -> !flag(i, "revoked"));
    }

    @Override
    public Optional<Device> findDeviceByTokenHash(byte[] tokenHash) {
        return db.get(db.accounts, id(tokenKey(tokenHash)))
                .flatMap(claim -> activeDevice(str(claim, "did")))
                .map(DynamoAccountStore::device)
                .filter(d -> Arrays.equals(d.tokenHash(), tokenHash));
    }

    @Override
    public List<Device> findActiveDevices(Collection<String> deviceIds) {
        List<Map<String, AttributeValue>> keys = new LinkedHashSet<>(deviceIds).stream()
                .map(d -> id("d#" + d)).toList();
        return db.batchGet(db.accounts, keys).stream().filter(i -> !flag(i, "revoked"))
                .map(DynamoAccountStore::device).toList();
    }

    @Override
    public boolean touchDevice(String deviceId, long usedAtMs) {
        var moved = db.update(UpdateItemRequest.builder().tableName(db.accounts).key(id("d#" + deviceId))
                .updateExpression("SET used = :t")
                .conditionExpression("attribute_exists(id) AND revoked = :no AND used < :t")
                .expressionAttributeValues(Map.of(":t", n(usedAtMs), ":no", bool(false))).build());
        return moved.isPresent() || activeDevice(deviceId).isPresent();
    }

    @Override
    public boolean revokeDevice(String deviceId) {
        var revoked = db.update(UpdateItemRequest.builder().tableName(db.accounts).key(id("d#" + deviceId))
                .updateExpression("SET revoked = :yes")
                .conditionExpression("attribute_exists(id) AND revoked = :no")
                .expressionAttributeValues(Map.of(":yes", bool(true), ":no", bool(false)))
                .returnValues("ALL_NEW").build());
        revoked.ifPresent(item -> db.client().deleteItem(b -> b.tableName(db.accounts)
                .key(id(tokenKey(item.get("th").b().asByteArray())))));
        return revoked.isPresent();
    }

    @Override
    public List<Device> activeDevicesOf(String userId) {
        List<Map<String, AttributeValue>> keys = db.query(QueryRequest.builder().tableName(db.userDevices)
                        .keyConditionExpression("uid = :u").expressionAttributeValues(Map.of(":u", s(userId))).build(),
                Integer.MAX_VALUE).stream().map(i -> id("d#" + str(i, "did"))).toList();
        return findActive(keys).stream().filter(d -> d.userId().equals(userId))
                .sorted(Comparator.comparingLong(Device::createdAtMs).thenComparing(Device::deviceId)).toList();
    }

    private List<Device> findActive(List<Map<String, AttributeValue>> keys) {
        return db.batchGet(db.accounts, keys).stream().filter(i -> !flag(i, "revoked"))
                .map(DynamoAccountStore::device).toList();
    }

    @Override
    public boolean updateDisplayName(String userId, String displayName) {
        var b = UpdateItemRequest.builder().tableName(db.accounts).key(id("u#" + userId))
                .conditionExpression("attribute_exists(id)");
        if (displayName == null) {
            b.updateExpression("REMOVE dn");
        } else {
            b.updateExpression("SET dn = :dn").expressionAttributeValues(Map.of(":dn", s(displayName)));
        }
        return db.update(b.build()).isPresent();
    }

    @Override
    public boolean updatePasswordHash(String userId, String passwordHash) {
        return db.update(UpdateItemRequest.builder().tableName(db.accounts).key(id("u#" + userId))
                .updateExpression("SET ph = :ph").conditionExpression("attribute_exists(id)")
                .expressionAttributeValues(Map.of(":ph", s(passwordHash))).build()).isPresent();
    }

    /**
     * Not one atomic write as on SQL: devices are revoked first (the part that must not be lost), then the
     * profile is replaced in one conditional update, then the old handle claim is dropped. Each step can run
     * again, so a retry after a crash finishes the erasure; until the profile update the old handle still
     * resolves, never the other way round.
     */
    @Override
    public boolean eraseAccount(String userId, String tombstoneHandle) {
        Optional<Account> account = findAccountById(userId);
        if (account.isEmpty()) {
            return false;
        }
        db.query(QueryRequest.builder().tableName(db.userDevices).keyConditionExpression("uid = :u")
                        .expressionAttributeValues(Map.of(":u", s(userId))).build(), Integer.MAX_VALUE)
                .forEach(i -> revokeDevice(str(i, "did")));
        String tombstoneKey = tombstoneHandle.toLowerCase(Locale.ROOT);
        db.putIf(db.accounts, Map.of("id", s("h#" + tombstoneKey), "uid", s(userId)),
                "attribute_not_exists(id) OR uid = :u", null, Map.of(":u", s(userId)));
        boolean updated = db.update(UpdateItemRequest.builder().tableName(db.accounts).key(id("u#" + userId))
                .updateExpression("SET handle = :h, hk = :hk, ph = :ph REMOVE dn")
                .conditionExpression("attribute_exists(id)")
                .expressionAttributeValues(Map.of(":h", s(tombstoneHandle), ":hk", s(tombstoneKey),
                        ":ph", s(JdbcAccountStore.ERASED_PASSWORD_HASH))).build()).isPresent();
        String oldKey = account.get().handleKey();
        if (!oldKey.equals(tombstoneKey)) {
            try {
                db.client().deleteItem(b -> b.tableName(db.accounts).key(id("h#" + oldKey))
                        .conditionExpression("uid = :u").expressionAttributeValues(Map.of(":u", s(userId))));
            } catch (ConditionalCheckFailedException claimedAgain) {
                // someone else holds the handle now: leave their claim alone
            }
        }
        return updated;
    }

    @Override
    public void close() {
        // the owning DynamoStores closes the client
    }
}
