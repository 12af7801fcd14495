package dev.parley.core;

/**
 * One signed-in device (a session). The bearer token itself is never stored: only its SHA-256 hash,
 * so a copy of the database cannot be used to impersonate anyone.
 *
 * @param lastUsedAtMs when the session was last seen in use; written at most about once per
 *                     {@link AccountPolicy#lastUseWriteIntervalMs()}, so it may lag by that much. A session
 *                     idle for longer than the session lifetime has expired.
 */
public record Device(String deviceId, String userId, String name, byte[] tokenHash, long createdAtMs,
                     long lastUsedAtMs) {

    /** A new device, last used when it was created. */
    public Device(String deviceId, String userId, String name, byte[] tokenHash, long createdAtMs) {
        this(deviceId, userId, name, tokenHash, createdAtMs, createdAtMs);
    }

    @Override
    public String toString() {
        return "Device[deviceId=" + deviceId + ", userId=" + userId + "]";
    }
}
