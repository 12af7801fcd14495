package dev.parley.server.store.dynamo;

import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Asks for {@code ReturnConsumedCapacity=TOTAL} on every item request and adds up what the engine reports:
 * read units (GetItem, Query, BatchGetItem), write units (PutItem, UpdateItem, DeleteItem, BatchWriteItem) and
 * requests by operation. Writes whose condition failed are not reported (the call throws) though DynamoDB
 * charges them; the operations metered here have none.
 */
final class CapacityMeter implements ExecutionInterceptor {
    private double reads;
    private double writes;
    private final Map<String, Integer> requests = new TreeMap<>();

    record Snapshot(double reads, double writes, Map<String, Integer> requests) {
        Snapshot minus(Snapshot before) {
            Map<String, Integer> r = new TreeMap<>(requests);
            before.requests.forEach((k, v) -> r.merge(k, -v, Integer::sum));
            r.values().removeIf(v -> v == 0);
            return new Snapshot(reads - before.reads, writes - before.writes, r);
        }
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(reads, writes, new TreeMap<>(requests));
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        return switch (context.request()) {
            case GetItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case PutItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case UpdateItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case DeleteItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case QueryRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case BatchGetItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case BatchWriteItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            default -> context.request();
        };
    }

    @Override
    public synchronized void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        SdkResponse response = context.response();
        String operation = response.getClass().getSimpleName().replace("Response", "");
        requests.merge(operation, 1, Integer::sum);
        switch (response) {
            case GetItemResponse r -> reads += units(r.consumedCapacity());
            case QueryResponse r -> reads += units(r.consumedCapacity());
            case BatchGetItemResponse r -> r.consumedCapacity().forEach(c -> reads += units(c));
            case PutItemResponse r -> writes += units(r.consumedCapacity());
            case UpdateItemResponse r -> writes += units(r.consumedCapacity());
            case DeleteItemResponse r -> writes += units(r.consumedCapacity());
            case BatchWriteItemResponse r -> r.consumedCapacity().forEach(c -> writes += units(c));
            default -> {
            }
        }
    }

    private static double units(ConsumedCapacity c) {
        return c == null || c.capacityUnits() == null ? 0 : c.capacityUnits();
    }
}
