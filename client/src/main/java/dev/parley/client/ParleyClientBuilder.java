package dev.parley.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/** Configuration of a {@link ParleyClient}; every setting but the server URL and store has a default. */
public final class ParleyClientBuilder {
    URI serverUrl;
    Path store;
    String handle;
    String password;
    String token;
    String deviceName = "parley-java-sdk";
    Clock clock = Clock.systemUTC();
    RandomGenerator random = new java.util.Random();
    Duration backoffBase = Duration.ofMillis(500);
    Duration backoffCap = Duration.ofSeconds(30);
    Duration pingInterval = Duration.ofSeconds(15);
    Duration pingTimeout = Duration.ofSeconds(10);
    Duration connectTimeout = Duration.ofSeconds(10);
    Duration requestTimeout = Duration.ofSeconds(15);
    Duration transferTimeout = Duration.ofMinutes(5);
    long resumableUploadThreshold = 8L * 1024 * 1024;
    long uploadChunkSize = 8L * 1024 * 1024;
    int transferAttempts = 8;
    Duration receiptFlushInterval = Duration.ofMillis(250);
    Duration typingInterval = Duration.ofSeconds(3);
    Duration typingIdle = Duration.ofSeconds(5);
    int maxInFlight = 16;
    int syncPageSize = 200;
    int initialHistory = 200;
    boolean durableWrites;
    byte[] stateKey;
    final List<ParleyListener> listeners = new java.util.ArrayList<>();

    ParleyClientBuilder() {
    }

    /** The server's base URL, e.g. {@code http://127.0.0.1:8080} (https for TLS). Required. */
    public ParleyClientBuilder serverUrl(String url) {
        return serverUrl(URI.create(url));
    }

    public ParleyClientBuilder serverUrl(URI url) {
        this.serverUrl = url;
        return this;
    }

    /** The SQLite file holding this account's outbox and replica on this device. Required. */
    public ParleyClientBuilder store(Path file) {
        this.store = file;
        return this;
    }

    /** Sign in with these when no stored session exists (or it was revoked). */
    public ParleyClientBuilder credentials(String handle, String password) {
        this.handle = handle;
        this.password = password;
        return this;
    }

    /** Use this session token (overrides a stored one). */
    public ParleyClientBuilder token(String token) {
        this.token = token;
        return this;
    }

    /** The device name sent when signing in. */
    public ParleyClientBuilder deviceName(String name) {
        this.deviceName = name;
        return this;
    }

    /** The clock for local timestamps and throttles (tests pass a fixed or stepped one). */
    public ParleyClientBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** The jitter source of the reconnect backoff (tests pass a seeded one). */
    public ParleyClientBuilder random(RandomGenerator random) {
        this.random = random;
        return this;
    }

    /** Reconnect backoff: first ceiling {@code base}, doubling up to {@code cap}, full jitter. */
    public ParleyClientBuilder backoff(Duration base, Duration cap) {
        this.backoffBase = base;
        this.backoffCap = cap;
        return this;
    }

    /** Ping every {@code interval}; a socket silent for {@code interval + timeout} is dropped. */
    public ParleyClientBuilder heartbeat(Duration interval, Duration timeout) {
        this.pingInterval = interval;
        this.pingTimeout = timeout;
        return this;
    }

    /** Time allowed to open a socket and get {@code welcome}. */
    public ParleyClientBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    /** Time allowed for an answer to an HTTP call or a request frame. */
    public ParleyClientBuilder requestTimeout(Duration timeout) {
        this.requestTimeout = timeout;
        return this;
    }

    /**
     * Uploads larger than {@code thresholdBytes} (default 8 MiB) use the resumable protocol, sent in
     * requests of at most {@code chunkBytes} (default 8 MiB); a failure costs at most the chunk in flight.
     */
    public ParleyClientBuilder resumableUploads(long thresholdBytes, long chunkBytes) {
        if (thresholdBytes < 0 || chunkBytes < 1) {
            throw new IllegalArgumentException("threshold >= 0 and chunk >= 1 byte");
        }
        this.resumableUploadThreshold = thresholdBytes;
        this.uploadChunkSize = chunkBytes;
        return this;
    }

    /**
     * Time allowed for one upload request to be sent and answered (default 5 minutes); size chunks so that
     * one fits in it on a slow network.
     */
    public ParleyClientBuilder transferTimeout(Duration timeout) {
        this.transferTimeout = timeout;
        return this;
    }

    /** Failures in a row without progress after which an upload or download gives up (default 8). */
    public ParleyClientBuilder transferAttempts(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("at least 0");
        }
        this.transferAttempts = n;
        return this;
    }

    /** How often delivered/read watermarks are sent at most. */
    public ParleyClientBuilder receiptFlushInterval(Duration interval) {
        this.receiptFlushInterval = interval;
        return this;
    }

    /** Typing: at most one {@code start} per {@code interval}; {@code stop} after {@code idle}. */
    public ParleyClientBuilder typingThrottle(Duration interval, Duration idle) {
        this.typingInterval = interval;
        this.typingIdle = idle;
        return this;
    }

    /**
     * Unanswered sends allowed per conversation (default 16). The server handles one socket's frames in
     * order, so pipelining keeps the queue order; 1 waits for each {@code sent} before the next send.
     */
    public ParleyClientBuilder maxInFlightPerConversation(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("at least 1");
        }
        this.maxInFlight = n;
        return this;
    }

    /** Entries asked for per {@code sync} page. */
    public ParleyClientBuilder syncPageSize(int n) {
        this.syncPageSize = n;
        return this;
    }

    /**
     * How many of a conversation's newest entries this device fetches when it first meets the conversation
     * (default 200); older ones come page by page through {@link ParleyClient#loadOlder}. {@code 0} fetches
     * every conversation's whole log from the start. End-to-end encrypted conversations are always followed
     * from the device's first entry, whatever this says.
     */
    public ParleyClientBuilder initialHistory(int entries) {
        if (entries < 0) {
            throw new IllegalArgumentException("initialHistory must be 0 or more");
        }
        this.initialHistory = entries;
        return this;
    }

    /** fsync every local commit (survives power loss, slower); default survives process crashes. */
    public ParleyClientBuilder durableWrites(boolean durable) {
        this.durableWrites = durable;
        return this;
    }

    /**
     * The 32-byte AES key that seals this device's MLS secrets in the store (e.g. kept in the OS keystore).
     * Without one, a random key is kept in the file {@code <store>.key} beside the store, readable by its
     * owner only.
     */
    public ParleyClientBuilder stateKey(byte[] key) {
        if (key == null || key.length != 32) {
            throw new IllegalArgumentException("a 32-byte key");
        }
        this.stateKey = key.clone();
        return this;
    }

    /** Adds a listener from the start (so it sees the first connection's events). */
    public ParleyClientBuilder listener(ParleyListener listener) {
        this.listeners.add(listener);
        return this;
    }

    /** Opens the local store and builds the client (not yet connected: call {@link ParleyClient#connect()}). */
    public ParleyClient build() {
        Objects.requireNonNull(serverUrl, "serverUrl");
        Objects.requireNonNull(store, "store");
        return new ParleyClient(this);
    }
}
