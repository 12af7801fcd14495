package dev.parley.client;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.group.KeyPackageSecrets;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.KeyPackageRef;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.Welcome;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This device as an MLS client: its Ed25519 signature key (made once, kept sealed in the local store), its
 * credential {@code <userId>/<deviceId>} (a basic credential, as the server's directory requires), and its
 * KeyPackages: made here, their private keys kept sealed under their KeyPackageRef, uploaded to the server's
 * directory, and topped up to {@link #TARGET} whenever the server holds fewer than {@link #LOW_WATER}.
 *
 * <p>A used KeyPackage's private keys are deleted once it opened a Welcome, except the newest one: the
 * server hands a device's last package out again and again (the last-resort package), so its keys must stay.
 * Thread-safe.
 */
final class MlsDevice {
    static final CipherSuite SUITE = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
    /** Below this many packages on the server, the device uploads more. */
    static final int LOW_WATER = 10;
    /** How many packages the device keeps on the server after topping up. */
    static final int TARGET = 30;
    private static final long LIFETIME_SECONDS = 90L * 24 * 3600;
    private static final String SIGNATURE_KEY = "signature-key";
    private static final Logger LOG = LoggerFactory.getLogger(MlsDevice.class);

    private final MlsTables tables;
    private final HttpApiClient api;
    private final Session session;
    private final Clock clock;
    private byte[] signatureKey;

    MlsDevice(MlsTables tables, HttpApiClient api, Session session, Clock clock) {
        this.tables = tables;
        this.api = api;
        this.session = session;
        this.clock = clock;
    }

    /** The device's signature private key, made on first use. */
    synchronized byte[] signatureKey() {
        if (signatureKey == null) {
            signatureKey = tables.secret(SIGNATURE_KEY).orElseGet(() -> {
                byte[] fresh = SUITE.random(32);
                tables.putSecret(SIGNATURE_KEY, fresh);
                return fresh;
            });
        }
        return signatureKey;
    }

    /** {@code <userId>/<deviceId>}: who a leaf is, in this device's credential and in everyone else's. */
    String identity() {
        String user = session.userId();
        String device = session.deviceId().orElse(null);
        if (user == null || device == null) {
            throw new IllegalStateException("not signed in yet: the device has no identity");
        }
        return user + "/" + device;
    }

    Credential credential() {
        return Credential.basic(identity().getBytes(StandardCharsets.UTF_8));
    }

    /** A KeyPackage made for local use only (the creator's own leaf in a new group); never uploaded. */
    KeyPackages.Created ownLeaf() {
        long now = clock.millis() / 1000;
        return KeyPackages.create(SUITE, credential(), signatureKey(), now - 60, now + LIFETIME_SECONDS);
    }

    /**
     * Tops the server's stock of this device's KeyPackages up to {@link #TARGET} if it fell below
     * {@link #LOW_WATER}. Blocks on HTTP. Returns how many the server holds afterwards.
     */
    synchronized int replenish() {
        String token = session.token();
        int count = api.keyPackageCount(token);
        if (count >= LOW_WATER) {
            return count;
        }
        long now = clock.millis() / 1000;
        List<String> encoded = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        Credential credential = credential();
        for (int i = count; i < TARGET; i++) {
            KeyPackages.Created kp = KeyPackages.create(SUITE, credential, signatureKey(), now - 60, now + LIFETIME_SECONDS);
            String ref = refHex(KeyPackageRef.of(SUITE, kp.keyPackage()));
            byte[] secrets = TlsWriter.encode(w -> w.opaque(kp.keyPackage().encode())
                    .opaque(kp.secrets().initPrivateKey()).opaque(kp.secrets().encryptionPrivateKey()));
            tables.putKeyPackage(ref, secrets, clock.millis());
            Zeroize.wipe(secrets, kp.secrets().initPrivateKey(), kp.secrets().encryptionPrivateKey());
            refs.add(ref);
            encoded.add(Base64.getEncoder().encodeToString(
                    new MlsMessage(WireFormat.KEY_PACKAGE, null, null, null, null, kp.keyPackage()).encode()));
        }
        try {
            int held = api.uploadKeyPackages(token, encoded);
            LOG.debug("uploaded {} KeyPackages; the server holds {}", encoded.size(), held);
            return held;
        } catch (RuntimeException e) {
            refs.forEach(tables::deleteKeyPackage); // never uploaded: nobody can use them
            throw e;
        }
    }

    /** The KeyPackage (with its private keys) that a Welcome was made for, if it is one of this device's. */
    Optional<Joining> forWelcome(Welcome welcome) {
        for (Welcome.EncryptedGroupSecrets s : welcome.secrets()) {
            String ref = refHex(s.newMember());
            Optional<byte[]> stored = tables.keyPackage(ref);
            if (stored.isPresent()) {
                TlsReader r = TlsReader.of(stored.get());
                KeyPackage kp = KeyPackage.read(TlsReader.of(r.opaque()));
                byte[] init = r.opaque();
                byte[] enc = r.opaque();
                r.finish();
                Zeroize.wipe(stored.get());
                return Optional.of(new Joining(ref, kp, new KeyPackageSecrets(init, enc, signatureKey().clone())));
            }
        }
        return Optional.empty();
    }

    /** A KeyPackage of ours found for a Welcome. */
    record Joining(String ref, KeyPackage keyPackage, KeyPackageSecrets secrets) {
        @Override
        public String toString() {
            return "Joining[" + ref + "]";
        }
    }

    /** A Welcome used this package: its private keys go, unless it may be the server's last-resort package. */
    void used(String ref) {
        List<String> held = tables.keyPackageRefs();
        if (!held.isEmpty() && !held.get(0).equals(ref)) {
            tables.deleteKeyPackage(ref);
        }
    }

    static String refHex(byte[] ref) {
        return HexFormat.of().formatHex(ref);
    }
}
