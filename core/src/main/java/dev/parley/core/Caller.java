package dev.parley.core;

/** The authenticated device a command comes from; the sender of every entry is taken from here. */
public record Caller(String userId, String deviceId) {
}
