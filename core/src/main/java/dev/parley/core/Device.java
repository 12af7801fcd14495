package dev.parley.core;

/**
 * One signed-in device (a session). The bearer token itself is never stored: only its SHA-256 hash,
 * so a copy of the database cannot be used to impersonate anyone.
 */
public record Device(String deviceId, String userId, String name, byte[] tokenHash, long createdAtMs) {
    @Override
    public String toString() {
        return "Device[deviceId=" + deviceId + ", userId=" + userId + "]";
    }
}
