package dev.parley.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.parley.core.AccountPolicy;
import dev.parley.server.security.TrustedProxies;
import java.util.List;

/**
 * Who the node believes about client addresses, how sessions live, and how much password hashing it
 * does at once. Read from the {@code security:} section of the YAML file, then the environment (later
 * wins); bound by {@link ConfigLoader}. {@code PARLEY_RATE_LIMITS=off} lifts the sign-up limit and the sign-in throttle
 * (never the hashing bound, which protects memory rather than rationing clients).
 *
 * @param trustedProxies           addresses or CIDR blocks of load balancers whose {@code X-Forwarded-For}
 *                                 names the real client ({@code PARLEY_TRUSTED_PROXIES}, comma-separated);
 *                                 empty = the peer address is the client
 * @param sessionTtlMs             a session unused for this long expires ({@code PARLEY_SESSION_TTL}, e.g.
 *                                 {@code 30d})
 * @param proxyProtocol            expect a PROXY protocol (v1 or v2) header on every connection and take the
 *                                 client address from it ({@code PARLEY_PROXY_PROTOCOL}); connections without
 *                                 one are refused, so only turn it on behind a proxy that sends it
 * @param hashConcurrency          password hashes (Argon2id) computed at once, each holding its memory cost
 *                                 ({@code PARLEY_HASH_CONCURRENCY}; default: the number of processors)
 * @param hashQueue                sign-ups and sign-ins that may wait for a hashing slot; beyond that they get
 *                                 {@code 503 unavailable} with {@code Retry-After} ({@code PARLEY_HASH_QUEUE})
 * @param signUpsPerHourPerAddress accounts one client address may create per hour ({@code PARLEY_SIGNUPS_PER_HOUR});
 *                                 0 = no limit
 * @param throttleSignIns          failed sign-ins are throttled per handle and per address (false only with
 *                                 {@code PARLEY_RATE_LIMITS=off})
 * @param sessionAuditIntervalMs   how often every open socket's session and conversations are re-checked
 *                                 against the store ({@code PARLEY_SESSION_AUDIT_INTERVAL}), so a revocation
 *                                 or removal whose bus message was lost still takes effect
 */
public record SecurityConfig(List<String> trustedProxies,
                             @JsonProperty("sessionTtl") @JsonDeserialize(using = Durations.Millis.class)
                             @JsonSerialize(using = Durations.MillisText.class) long sessionTtlMs,
                             boolean proxyProtocol, int hashConcurrency, int hashQueue, int signUpsPerHourPerAddress,
                             boolean throttleSignIns,
                             @JsonProperty("sessionAuditInterval") @JsonDeserialize(using = Durations.Millis.class)
                             @JsonSerialize(using = Durations.MillisText.class) long sessionAuditIntervalMs) {

    public SecurityConfig {
        trustedProxies = List.copyOf(trustedProxies);
        TrustedProxies.parse(trustedProxies); // fails at start-up on a malformed entry, naming it
        if (sessionTtlMs < 60_000) {
            throw new IllegalArgumentException("security.sessionTtl must be at least one minute");
        }
        if (hashConcurrency < 1 || hashQueue < 0) {
            throw new IllegalArgumentException("security.hashConcurrency must be at least 1 and hashQueue at least 0");
        }
        if (signUpsPerHourPerAddress < 0) {
            throw new IllegalArgumentException("security.signUpsPerHourPerAddress must not be negative");
        }
        if (sessionAuditIntervalMs < 100) {
            throw new IllegalArgumentException("security.sessionAuditInterval must be at least 100ms");
        }
    }

    public static SecurityConfig defaults() {
        return new SecurityConfig(List.of(), 30L * 24 * 3600 * 1000, false,
                Runtime.getRuntime().availableProcessors(), 32, 20, true, 60_000);
    }

    /** The same settings with the sign-up limit and sign-in throttle lifted ({@code PARLEY_RATE_LIMITS=off}). */
    public SecurityConfig withoutRateLimits() {
        return new SecurityConfig(trustedProxies, sessionTtlMs, proxyProtocol, hashConcurrency, hashQueue, 0, false,
                sessionAuditIntervalMs);
    }

    public SecurityConfig withTrustedProxies(List<String> proxies) {
        return new SecurityConfig(proxies, sessionTtlMs, proxyProtocol, hashConcurrency, hashQueue,
                signUpsPerHourPerAddress, throttleSignIns, sessionAuditIntervalMs);
    }

    public SecurityConfig withProxyProtocol(boolean on) {
        return new SecurityConfig(trustedProxies, sessionTtlMs, on, hashConcurrency, hashQueue,
                signUpsPerHourPerAddress, throttleSignIns, sessionAuditIntervalMs);
    }

    public SecurityConfig withHashing(int concurrency, int queue) {
        return new SecurityConfig(trustedProxies, sessionTtlMs, proxyProtocol, concurrency, queue,
                signUpsPerHourPerAddress, throttleSignIns, sessionAuditIntervalMs);
    }

    public SecurityConfig withSignUpsPerHourPerAddress(int perHour) {
        return new SecurityConfig(trustedProxies, sessionTtlMs, proxyProtocol, hashConcurrency, hashQueue, perHour,
                throttleSignIns, sessionAuditIntervalMs);
    }

    public SecurityConfig withSessions(long ttlMs, long auditIntervalMs) {
        return new SecurityConfig(trustedProxies, ttlMs, proxyProtocol, hashConcurrency, hashQueue,
                signUpsPerHourPerAddress, throttleSignIns, auditIntervalMs);
    }

    /** What the core's account service enforces. */
    public AccountPolicy accountPolicy() {
        return new AccountPolicy(signUpsPerHourPerAddress, throttleSignIns, sessionTtlMs);
    }
}
