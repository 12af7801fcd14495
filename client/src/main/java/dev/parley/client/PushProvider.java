package dev.parley.client;

/** The push services a phone app hands its device token from (see {@link ParleyClient#registerPushToken}). */
public enum PushProvider {
    /** Firebase Cloud Messaging: the FCM registration token. */
    FCM("fcm"),
    /** Apple Push Notification service: the device token, hex. */
    APNS("apns");

    private final String wire;

    PushProvider(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
