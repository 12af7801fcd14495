package dev.parley.server.store.dynamo;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * One DynamoDB endpoint and the tables of one Parley deployment (every name starts with the configured
 * prefix), with the few request shapes the stores use: strongly consistent reads, conditional updates that
 * answer "did the condition hold", and the batch calls split to their limits (100 keys per BatchGetItem,
 * 25 puts per BatchWriteItem, unprocessed items retried). See {@code docs/dynamodb.md} for the layout.
 */
public final class Dynamo implements AutoCloseable {
    /** Conversations (meta item per conversation; {@code direct#…} claims; the version clock item). */
    final String conversations;
    /** The logs: partition key the conversation id, sort key {@code seq}. */
    final String entries;
    /** Per-conversation keyed items: idempotency keys, reaction pointers, edit lists. */
    final String keys;
    /** Members of a conversation with their watermarks: partition conversation id, sort user id. */
    final String members;
    /** The other direction: partition user id, sort conversation id (joined and left conversations). */
    final String inbox;
    /** Accounts, handle claims, devices and token claims, each under its own key prefix. */
    final String accounts;
    /** Devices of a user: partition user id, sort device id. */
    final String userDevices;
    /** MLS KeyPackages: partition device id, sort {@code n} (0 = the device's counter, then 1, 2, … oldest first). */
    final String keyPackages;

    private final DynamoDbClient client;

    private Dynamo(DynamoDbClient client, String prefix) {
        this.client = client;
        this.conversations = prefix + "conversations";
        this.entries = prefix + "entries";
        this.keys = prefix + "keys";
        this.members = prefix + "members";
        this.inbox = prefix + "inbox";
        this.accounts = prefix + "accounts";
        this.userDevices = prefix + "user_devices";
        this.keyPackages = prefix + "key_packages";
    }

    /**
     * Connects to {@code endpoint} (null: the region's AWS endpoint) with the default AWS credential chain,
     * or with {@code staticKeys} ({@code id:secret}) when given (emulators accept any).
     */
    public static Dynamo connect(String endpoint, String region, String tablePrefix, String staticKeys) {
        return connect(endpoint, region, tablePrefix, staticKeys, List.of());
    }

    /** As above, with interceptors on every request (tests meter the capacity each operation consumes). */
    static Dynamo connect(String endpoint, String region, String tablePrefix, String staticKeys,
                          List<ExecutionInterceptor> interceptors) {
        AwsCredentialsProvider credentials;
        if (staticKeys != null) {
            int colon = staticKeys.indexOf(':');
            credentials = StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(staticKeys.substring(0, colon), staticKeys.substring(colon + 1)));
        } else {
            credentials = DefaultCredentialsProvider.builder().build();
        }
        var builder = DynamoDbClient.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64)
                        .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(30)))
                .overrideConfiguration(c -> interceptors.forEach(c::addExecutionInterceptor));
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        return new Dynamo(builder.build(), tablePrefix);
    }

    DynamoDbClient client() {
        return client;
    }

    /** Creates the tables that do not exist yet (on-demand capacity) and waits until all are active. */
    public void createTables() {
        create(conversations, "id", null);
        create(entries, "cid", ScalarAttributeType.N, "seq");
        create(keys, "cid", ScalarAttributeType.S, "k");
        create(members, "cid", ScalarAttributeType.S, "uid");
        create(inbox, "uid", ScalarAttributeType.S, "cid");
        create(accounts, "id", null);
        create(userDevices, "uid", ScalarAttributeType.S, "did");
        create(keyPackages, "did", ScalarAttributeType.N, "n");
        for (String table : List.of(conversations, entries, keys, members, inbox, accounts, userDevices, keyPackages)) {
            awaitActive(table);
        }
    }

    private void create(String table, String hash, ScalarAttributeType rangeType, String... range) {
        List<AttributeDefinition> attributes = new ArrayList<>();
        List<KeySchemaElement> schema = new ArrayList<>();
        attributes.add(AttributeDefinition.builder().attributeName(hash).attributeType(ScalarAttributeType.S).build());
        schema.add(KeySchemaElement.builder().attributeName(hash).keyType(KeyType.HASH).build());
        if (rangeType != null) {
            attributes.add(AttributeDefinition.builder().attributeName(range[0]).attributeType(rangeType).build());
            schema.add(KeySchemaElement.builder().attributeName(range[0]).keyType(KeyType.RANGE).build());
        }
        try {
            client.createTable(b -> b.tableName(table).attributeDefinitions(attributes).keySchema(schema)
                    .billingMode(BillingMode.PAY_PER_REQUEST));
        } catch (ResourceInUseException exists) {
            // created before (by this node or another)
        }
    }

    private void awaitActive(String table) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                if (client.describeTable(b -> b.tableName(table)).table().tableStatus() == TableStatus.ACTIVE) {
                    return;
                }
            } catch (ResourceNotFoundException notYet) {
                // just created
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("DynamoDB table " + table + " did not become active");
            }
            sleep(20);
        }
    }

    // ---- requests -----------------------------------------------------------------------------------

    /** A strongly consistent GetItem. */
    Optional<Map<String, AttributeValue>> get(String table, Map<String, AttributeValue> key) {
        var response = client.getItem(GetItemRequest.builder().tableName(table).key(key).consistentRead(true).build());
        return response.hasItem() && !response.item().isEmpty() ? Optional.of(response.item()) : Optional.empty();
    }

    /** A conditional UpdateItem: the new item, or empty if the condition did not hold. */
    Optional<Map<String, AttributeValue>> update(UpdateItemRequest request) {
        try {
            UpdateItemResponse response = client.updateItem(request);
            return Optional.of(response.hasAttributes() ? response.attributes() : Map.of());
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /** A conditional PutItem: whether the condition held (and the item was written). */
    boolean putIf(String table, Map<String, AttributeValue> item, String condition,
                  Map<String, String> names, Map<String, AttributeValue> values) {
        try {
            client.putItem(b -> {
                b.tableName(table).item(item).conditionExpression(condition);
                if (names != null && !names.isEmpty()) {
                    b.expressionAttributeNames(names);
                }
                if (values != null && !values.isEmpty()) {
                    b.expressionAttributeValues(values);
                }
            });
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Every page of a (strongly consistent) query, up to {@code max} items. */
    List<Map<String, AttributeValue>> query(QueryRequest request, int max) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        QueryRequest next = request.toBuilder().consistentRead(true).build();
        while (true) {
            QueryResponse page = client.query(next);
            for (var item : page.items()) {
                if (items.size() >= max) {
                    return items;
                }
                items.add(item);
            }
            if (!page.hasLastEvaluatedKey() || page.lastEvaluatedKey().isEmpty() || items.size() >= max) {
                return items;
            }
            next = next.toBuilder().exclusiveStartKey(page.lastEvaluatedKey()).build();
        }
    }

    /** Strongly consistent BatchGetItem of any number of keys of one table (100 per request), in no order. */
    List<Map<String, AttributeValue>> batchGet(String table, List<Map<String, AttributeValue>> keys) {
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += 100) {
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder()
                    .keys(keys.subList(from, Math.min(keys.size(), from + 100))).consistentRead(true).build());
            int attempt = 0;
            while (!request.isEmpty()) {
                Map<String, KeysAndAttributes> current = request;
                BatchGetItemResponse response = client.batchGetItem(b -> b.requestItems(current));
                found.addAll(response.responses().getOrDefault(table, List.of()));
                request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
                if (!request.isEmpty()) {
                    backOff(++attempt);
                }
            }
        }
        return found;
    }

    /** Unconditional puts, 25 per BatchWriteItem, grouped by table; unprocessed items are sent again. */
    void batchPut(Map<String, List<Map<String, AttributeValue>>> itemsByTable) {
        List<Map.Entry<String, WriteRequest>> all = new ArrayList<>();
        itemsByTable.forEach((table, items) -> items.forEach(item -> all.add(Map.entry(table,
                WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build()))));
        for (int from = 0; from < all.size(); from += 25) {
            Map<String, List<WriteRequest>> request = new HashMap<>();
            for (var e : all.subList(from, Math.min(all.size(), from + 25))) {
                request.computeIfAbsent(e.getKey(), t -> new ArrayList<>()).add(e.getValue());
            }
            int attempt = 0;
            while (!request.isEmpty()) {
                Map<String, List<WriteRequest>> current = request;
                BatchWriteItemResponse response = client.batchWriteItem(b -> b.requestItems(current));
                request = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
                if (!request.isEmpty()) {
                    backOff(++attempt);
                }
            }
        }
    }

    static void backOff(int attempt) {
        sleep(Math.min(200, 5L << Math.min(attempt, 6)));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // ---- attribute values ---------------------------------------------------------------------------

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static AttributeValue bool(boolean value) {
        return AttributeValue.fromBool(value);
    }

    static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.s() == null ? null : v.s();
    }

    static long num(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    static boolean flag(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v != null && Boolean.TRUE.equals(v.bool());
    }

    static Map<String, AttributeValue> key(String name, String value) {
        return Map.of(name, s(value));
    }

    static Map<String, AttributeValue> key(String hash, String hashValue, String range, AttributeValue rangeValue) {
        return Map.of(hash, s(hashValue), range, rangeValue);
    }

    @Override
    public void close() {
        client.close();
    }
}
