package dev.parley.core.push;

/**
 * Where one device is reached by push. For {@link PushType#WEBPUSH} {@code address} is the push service's
 * endpoint URL and {@code p256dh}/{@code auth} the browser's keys (base64url); for FCM and APNs
 * {@code address} is the device token and the keys are null. Addresses and keys are secrets of the device:
 * {@link #toString()} leaves them out.
 */
public record PushSubscription(String subscriptionId, String userId, String deviceId, PushType type, String address,
                               String p256dh, String auth, long createdAtMs) {

    @Override
    public String toString() {
        return "PushSubscription[subscriptionId=" + subscriptionId + ", deviceId=" + deviceId + ", type=" + type + "]";
    }
}
