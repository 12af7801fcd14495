package dev.parley.client;

import dev.parley.protocol.Http;
import dev.parley.protocol.ServerFrame;
import java.util.Objects;
import java.util.Optional;

/**
 * Who this client is: the credentials, the session token and the user and device ids, kept in the local
 * store so that a restart resumes the same device (the server's send idempotency is per device). A store
 * belongs to one user: a token or sign-in for anyone else is refused.
 */
final class Session implements ConnectionLoop.Auth {
    static final String META_TOKEN = "token";
    static final String META_USER = "userId";
    static final String META_DEVICE = "deviceId";
    static final String META_HANDLE = "handle";

    private final LocalStore store;
    private final HttpApiClient api;
    private final String deviceName;
    private volatile String token;
    private volatile String handle;
    private volatile String password;
    private volatile String userId;

    Session(LocalStore store, HttpApiClient api, String deviceName, String handle, String password, String token) {
        this.store = store;
        this.api = api;
        this.deviceName = deviceName;
        this.handle = handle;
        this.password = password;
        this.userId = store.meta(META_USER).orElse(null);
        String storedHandle = store.meta(META_HANDLE).orElse(null);
        if (handle != null && storedHandle != null && !storedHandle.equals(handle)) {
            throw new IllegalStateException("this store belongs to '" + storedHandle + "', not '" + handle
                    + "': use one store file per account");
        }
        this.token = token != null ? token : store.meta(META_TOKEN).orElse(null);
    }

    /** Remembers credentials for later sign-ins, unless some are already known. */
    synchronized void offerCredentials(String newHandle, String newPassword) {
        if (handle == null) {
            handle = newHandle;
            password = newPassword;
        }
    }

    /** Signs in now with these credentials, replacing the current session. */
    synchronized void signIn(String newHandle, String newPassword) {
        String storedHandle = store.meta(META_HANDLE).orElse(null);
        if (storedHandle != null && !storedHandle.equals(newHandle)) {
            throw new IllegalStateException("this store belongs to '" + storedHandle + "'");
        }
        handle = newHandle;
        password = newPassword;
        token = null;
        newSession();
    }

    /** Forgets the token (after it was revoked on the server). */
    synchronized void forget() {
        token = null;
        store.deleteMeta(META_TOKEN);
    }

    private String newSession() {
        if (handle == null || password == null) {
            throw new ConnectionLoop.Fatal("no credentials and no valid token");
        }
        Http.SessionCreated s = api.createSession(handle, password, deviceName);
        String storedUser = store.meta(META_USER).orElse(null);
        if (storedUser != null && !storedUser.equals(s.userId())) {
            throw new ConnectionLoop.Fatal("this store belongs to another user");
        }
        store.putMeta(META_TOKEN, s.token());
        store.putMeta(META_USER, s.userId());
        store.putMeta(META_DEVICE, s.deviceId());
        store.putMeta(META_HANDLE, handle);
        userId = s.userId();
        token = s.token();
        return token;
    }

    boolean hasToken() {
        return token != null;
    }

    /** The token if there is one. */
    String tokenIfAny() {
        return token;
    }

    /** The signed-in user's id, once known. */
    String userId() {
        return userId;
    }

    void learnedUserId(String id) {
        userId = id;
    }

    Optional<String> deviceId() {
        return store.meta(META_DEVICE);
    }

    @Override
    public synchronized String token() {
        String t = token;
        return t != null ? t : newSession();
    }

    @Override
    public void welcomed(ServerFrame.Welcome welcome) {
        String stored = store.meta(META_USER).orElse(null);
        if (stored != null && !stored.equals(welcome.userId())) {
            throw new ConnectionLoop.Fatal("this store belongs to another user than the token's");
        }
        if (stored == null) {
            store.putMeta(META_USER, welcome.userId());
        }
        store.putMeta(META_DEVICE, welcome.deviceId());
        userId = welcome.userId();
    }

    @Override
    public synchronized boolean rejected(String rejectedToken) {
        if (Objects.equals(token, rejectedToken)) {
            forget();
        }
        return handle != null && password != null;
    }
}
