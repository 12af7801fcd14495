package dev.parley.core.port;

import dev.parley.core.push.PushSubscription;
import dev.parley.core.push.PushType;
import dev.parley.protocol.PushPayload;

/**
 * Hands one notification to one push service (Web Push, FCM, APNs). Blocking: called on a virtual thread
 * of the delivery worker, with the sender's own timeouts. It never throws for what the push service
 * answers or for network trouble: every attempt ends in an {@link Outcome} the worker acts on.
 */
public interface PushSender {

    /** The subscriptions this sender serves. */
    PushType type();

    /**
     * Sends {@code payload} to {@code subscription}. Not idempotent (a retried push may show twice when
     * the first answer was lost): the worker retries only {@link Result#RETRY}.
     */
    Outcome send(PushSubscription subscription, PushPayload payload);

    /** How an attempt ended. */
    enum Result {
        /** The push service accepted it. */
        DELIVERED,
        /** The subscription no longer exists (404, 410, an unregistered token): delete it. */
        GONE,
        /** Try again later (429, 5xx, network trouble). */
        RETRY,
        /** Refused for good (another 4xx, a misconfigured sender): drop this push, keep the subscription. */
        DROPPED
    }

    /**
     * @param retryAfterMs for {@link Result#RETRY}: what the push service asked for ({@code Retry-After}), or 0
     * @param status       the HTTP status seen, or 0 when none (for logs and metrics)
     */
    record Outcome(Result result, long retryAfterMs, int status) {
        public static Outcome delivered(int status) {
            return new Outcome(Result.DELIVERED, 0, status);
        }

        public static Outcome gone(int status) {
            return new Outcome(Result.GONE, 0, status);
        }

        public static Outcome retry(int status, long retryAfterMs) {
            return new Outcome(Result.RETRY, Math.max(0, retryAfterMs), status);
        }

        public static Outcome dropped(int status) {
            return new Outcome(Result.DROPPED, 0, status);
        }

        /** The usual reading of a push service's HTTP status: 2xx delivered, 404/410 gone, 429/5xx retry. */
        public static Outcome ofStatus(int status, long retryAfterMs) {
            if (status >= 200 && status < 300) {
                return delivered(status);
            }
            if (status == 404 || status == 410) {
                return gone(status);
            }
            if (status == 429 || status >= 500) {
                return retry(status, retryAfterMs);
            }
            return dropped(status);
        }
    }
}
