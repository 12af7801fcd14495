package dev.parley.client;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.group.ApplicationMessages;
import dev.parley.crypto.mls.group.CommitBuilder;
import dev.parley.crypto.mls.group.CommitProcessor;
import dev.parley.crypto.mls.group.Group;
import dev.parley.crypto.mls.group.GroupCreation;
import dev.parley.crypto.mls.group.GroupState;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.group.PendingCommit;
import dev.parley.crypto.mls.group.PskStore;
import dev.parley.crypto.mls.group.WelcomeJoin;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.suite.Zeroize;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MLS groups of this device's end-to-end encrypted conversations: one {@link Group} per conversation
 * (group id = the UTF-8 bytes of the conversation id), kept in memory and saved, sealed, in the local store
 * after every change, in the same SQLite transaction as the log entry that caused it. So an entry is held if
 * and only if its effect on the group is saved, and a restart resumes every group where it was.
 *
 * <p>Locking: every group operation runs inside {@link LocalStore#tx}, whose monitor is the one lock of the
 * groups (the replica thread already holds it while it applies entries). Nothing here blocks on the network
 * while holding it. Not for use outside the SDK.
 *
 * <p>Application data is the message text in UTF-8, or 0xFF and a small JSON object for a message with encrypted
 * files ({@link E2eeContent}, docs/e2ee.md), as the web client writes it; padded by MLS.
 */
final class MlsConversations {
    private static final Logger LOG = LoggerFactory.getLogger(MlsConversations.class);
    private static final PskStore NO_PSKS = id -> Optional.empty();
    private static final String FILE_SECRET = "file/";

    /** A send that cannot be encrypted yet: this device is not (yet) in the conversation's group. */
    static final class NotReady extends RuntimeException {
        NotReady(String conversationId) {
            super("this device has no MLS group for " + conversationId + " yet", null, false, false);
        }
    }

    /** An entry as this device shows it: decrypted, or marked undecryptable with its ciphertext kept. */
    record Shown(Message message, boolean undecryptable, String ciphertext) {
    }

    private final LocalStore store;
    private final MlsTables tables;
    private final MlsDevice device;
    private final Map<String, Group> groups = new HashMap<>();
    /** Our own Commits sent and not yet merged, by clientMsgId: merged by their {@code sent} or their log entry. */
    private final Map<String, Pending> pending = new HashMap<>();

    record Pending(String conversationId, PendingCommit commit) {
    }

    MlsConversations(LocalStore store, MlsTables tables, MlsDevice device) {
        this.store = store;
        this.tables = tables;
        this.device = device;
    }

    // ---- state (all under the store's monitor) ---------------------------------------------------------

    private Optional<Group> group(String conversationId) {
        Group g = groups.get(conversationId);
        if (g == null) {
            Optional<byte[]> saved = tables.group(conversationId);
            if (saved.isEmpty()) {
                return Optional.empty();
            }
            try {
                g = GroupState.decode(saved.get());
            } finally {
                Zeroize.wipe(saved.get());
            }
            groups.put(conversationId, g);
        }
        return Optional.of(g);
    }

    private void save(String conversationId, Group g) {
        byte[] state = GroupState.encode(g);
        try {
            tables.putGroup(conversationId, g.epoch(), state);
        } finally {
            Zeroize.wipe(state);
        }
        groups.put(conversationId, g);
    }

    private void drop(String conversationId) {
        Group g = groups.remove(conversationId);
        if (g != null) {
            g.wipe();
        }
        tables.deleteGroup(conversationId);
    }

    /** Forgets what is in memory: a transaction rolled back, so the saved state is the truth again. */
    void invalidate() {
        store.tx(() -> {
            groups.clear();
            return null;
        });
    }

    /** The conversation's current epoch on this device, if it is in the group. */
    Optional<Long> epoch(String conversationId) {
        return store.tx(() -> group(conversationId).map(Group::epoch));
    }

    /** §8.7 epoch authenticator: two members who see the same value are in the same group state. */
    Optional<byte[]> epochAuthenticator(String conversationId) {
        return store.tx(() -> group(conversationId).map(Group::epochAuthenticator));
    }

    // ---- creating and changing groups -----------------------------------------------------------------

    /** Creates the conversation's group with this device as its only member, at epoch 0. */
    void create(String conversationId) {
        KeyPackages.Created own = device.ownLeaf();
        store.tx(() -> {
            if (group(conversationId).isEmpty()) {
                save(conversationId, GroupCreation.create(MlsDevice.SUITE, groupId(conversationId), own.keyPackage(),
                        own.secrets()));
            }
            return null;
        });
    }

    /** A Commit built on the current epoch, waiting for the Delivery Service's answer. */
    record Built(String clientMsgId, long epoch, String groupContext, String commit, Optional<String> welcome,
                 List<String> recipients) {
    }

    /**
     * Builds a Commit that adds the devices of {@code adds} not yet in the group and removes every leaf
     * {@code remove} matches, on the current epoch. Empty if there is nothing to do.
     */
    Optional<Built> buildCommit(String conversationId, String clientMsgId,
                                List<HttpApiClient.ClaimedKeyPackage> adds, Predicate<String> remove) {
        return store.tx(() -> {
            Group g = group(conversationId).orElseThrow(() -> new NotReady(conversationId));
            List<String> present = new ArrayList<>();
            List<Long> removes = new ArrayList<>();
            for (long i = 0; i < g.tree().leafCount(); i++) {
                Optional<LeafNode> leaf = g.tree().leaf(i);
                if (leaf.isPresent()) {
                    String id = identity(leaf.get());
                    present.add(id);
                    if (i != g.ownLeaf() && remove.test(id)) {
                        removes.add(i);
                    }
                }
            }
            List<KeyPackage> packages = new ArrayList<>();
            List<String> recipients = new ArrayList<>();
            for (HttpApiClient.ClaimedKeyPackage c : adds) {
                if (!present.contains(c.userId() + "/" + c.deviceId()) && !recipients.contains(c.deviceId())) {
                    packages.add(MlsMessage.decode(Base64.getDecoder().decode(c.keyPackage())).keyPackage());
                    recipients.add(c.deviceId());
                }
            }
            if (packages.isEmpty() && removes.isEmpty()) {
                return Optional.<Built>empty();
            }
            String context = b64(g.context().encode()); // the epoch's context, which the Commit is signed over
            CommitBuilder.Result r = CommitBuilder.commit(g, packages, removes);
            pending.put(clientMsgId, new Pending(conversationId, r.pending()));
            // Saved before the Commit leaves: if the process dies after the server stored it but before the
            // merge, the Commit's log entry finds this state and the device resumes in the new epoch.
            Group next = r.pending().merged();
            byte[] state = GroupState.encode(next);
            try {
                tables.putPendingCommit(clientMsgId, conversationId, state);
            } finally {
                Zeroize.wipe(state);
                next.wipe();
            }
            return Optional.of(new Built(clientMsgId, g.epoch(), context, b64(r.commit().encode()),
                    r.welcome().map(w -> b64(w.encode())), List.copyOf(recipients)));
        });
    }

    /** The server stored our Commit: the group moves to the new epoch (unless its log entry did that first). */
    void committed(String clientMsgId) {
        store.tx(() -> {
            mergeIfPending(clientMsgId);
            return null;
        });
    }

    /** The server refused our Commit (another one won the epoch): its secrets are forgotten. */
    void discard(String clientMsgId) {
        store.tx(() -> {
            Pending p = pending.remove(clientMsgId);
            if (p != null) {
                p.commit().discard();
            }
            tables.deletePendingCommit(clientMsgId);
            return null;
        });
    }

    private boolean mergeIfPending(String clientMsgId) {
        Pending p = pending.remove(clientMsgId);
        if (p == null) {
            return false;
        }
        Group g = group(p.conversationId()).orElseThrow();
        p.commit().merge();
        save(p.conversationId(), g);
        tables.deletePendingCommit(clientMsgId);
        return true;
    }

    // ---- sending -----------------------------------------------------------------------------------------

    /**
     * Encrypts a queued message's text for sending now, in the group's current epoch, and saves the group
     * (its ratchet moved) before the ciphertext leaves, so a crash can never reuse a key and nonce.
     *
     * @throws NotReady if this device is not in the conversation's group yet
     */
    String seal(String conversationId, String clientMsgId, String plaintext) {
        return store.tx(() -> {
            Group g = group(conversationId).orElseThrow(() -> new NotReady(conversationId));
            E2eeContent.Content content = E2eeContent.decode(plaintext); // refuses a malformed one before sending
            MlsMessage m = ApplicationMessages.encrypt(g, E2eeContent.toBytes(plaintext), new byte[0]);
            save(conversationId, g);
            tables.putOwnPlaintext(clientMsgId, plaintext);
            keepFiles(content);
            return b64(m.encode());
        });
    }

    // ---- receiving (the replica thread, inside its transaction) -------------------------------------------

    /**
     * Processes one entry of an e2ee conversation in log order: joins from a Welcome addressed to this
     * device, follows Commits, decrypts application messages. Never throws for bad input: what cannot be
     * processed is logged (without content) and shown as undecryptable, and the log moves on.
     *
     * @param ownDevice this device's id
     * @param joined    run (after the commit) when this device joined a group, e.g. to send what waited
     */
    Shown receive(Message m, String ownDevice, Runnable joined) {
        try {
            return switch (m.kind()) {
                case MLS_WELCOME -> {
                    welcome(m, joined);
                    yield new Shown(withBody(m, null), false, null);
                }
                case MLS_COMMIT -> {
                    commit(m, ownDevice);
                    yield new Shown(withBody(m, null), false, null);
                }
                case TEXT, MEDIA, EDIT -> m.body() == null ? new Shown(m, false, null) : application(m, ownDevice);
                default -> new Shown(m, false, null);
            };
        } catch (MlsException | IllegalArgumentException | IllegalStateException e) {
            LOG.debug("entry {} of {} could not be processed: {}", m.seq(), m.conversationId(), e.getMessage());
            boolean message = m.kind().isMessage() || m.kind() == EntryKind.EDIT;
            return message ? new Shown(withBody(m, null), true, m.body()) : new Shown(withBody(m, null), false, null);
        }
    }

    private void welcome(Message m, Runnable joined) {
        String conv = m.conversationId();
        if (group(conv).isPresent() || m.body() == null) {
            return;
        }
        MlsMessage w = MlsMessage.decode(Base64.getDecoder().decode(m.body()));
        if (w.wireFormat() != WireFormat.WELCOME) {
            throw new MlsException("mls-welcome without a Welcome");
        }
        Optional<MlsDevice.Joining> mine = device.forWelcome(w.welcome());
        if (mine.isEmpty()) {
            return; // made for another device's package (a Welcome for several recipients)
        }
        MlsDevice.Joining j = mine.get();
        Group g = WelcomeJoin.join(MlsDevice.SUITE, w.welcome(), j.keyPackage(), j.secrets(), Optional.empty(), NO_PSKS);
        if (!Arrays.equals(g.context().groupId(), groupId(conv))) {
            g.wipe();
            throw new MlsException("Welcome for another group");
        }
        save(conv, g);
        device.used(j.ref());
        retryUndecryptable(conv, g);
        joined.run();
    }

    /** Entries this device could not read before it joined may be of the epoch it joined in: try them again. */
    private void retryUndecryptable(String conv, Group g) {
        for (Object[] row : tables.undecryptable(conv)) {
            try {
                MlsMessage msg = MlsMessage.decode(Base64.getDecoder().decode((String) row[1]));
                if (msg.wireFormat() == WireFormat.PRIVATE_MESSAGE && msg.privateMessage().epoch() == g.epoch()) {
                    E2eeContent.Content content = E2eeContent.decode(
                            E2eeContent.fromBytes(ApplicationMessages.decrypt(g, msg).data()));
                    keepFiles(content);
                    tables.markDecrypted(conv, (Long) row[0], content.text(),
                            content.files().isEmpty() ? null : content.fileIds());
                }
            } catch (MlsException | IllegalArgumentException e) {
                // stays undecryptable
            }
        }
        save(conv, g);
    }

    private void commit(Message m, String ownDevice) {
        String conv = m.conversationId();
        if (m.clientMsgId() != null && ownDevice != null && ownDevice.equals(m.senderDeviceId())) {
            if (mergeIfPending(m.clientMsgId())) {
                return; // our own Commit: its log entry arrived before its `sent`
            }
            Optional<byte[]> saved = tables.pendingCommit(m.clientMsgId(), conv);
            if (saved.isPresent()) {
                // Our own Commit, sent by a run of this client that ended before it could merge it.
                Group resumed;
                try {
                    resumed = GroupState.decode(saved.get());
                } finally {
                    Zeroize.wipe(saved.get());
                }
                tables.deletePendingCommit(m.clientMsgId());
                if (group(conv).map(Group::epoch).orElse(-1L) != resumed.epoch() - 1) {
                    resumed.wipe();
                    return; // not the epoch this Commit was built on: nothing to resume
                }
                groups.remove(conv).wipe();
                save(conv, resumed);
                return;
            }
        }
        Optional<Group> held = group(conv);
        if (held.isEmpty() || m.body() == null) {
            return; // not in the group (yet): a Welcome may follow
        }
        Group g = held.get();
        MlsMessage c = MlsMessage.decode(Base64.getDecoder().decode(m.body()));
        if (c.wireFormat() != WireFormat.PUBLIC_MESSAGE) {
            throw new MlsException("mls-commit must be a PublicMessage");
        }
        long epoch = c.publicMessage().content().epoch();
        if (epoch < g.epoch()) {
            return; // built on an epoch this device already left (its own commit, merged on `sent`)
        }
        if (ownDevice != null && ownDevice.equals(m.senderDeviceId())) {
            LOG.warn("a commit of this device in {} was never merged here (lost in a crash?)", conv);
        }
        try {
            CommitProcessor.apply(g, c, List.of(), NO_PSKS);
        } catch (MlsException e) {
            // CommitProcessor refuses, after authenticating it, a Commit that removes this member.
            if (removesLeaf(c, g.ownLeaf())) {
                LOG.info("this device was removed from the group of {}", conv);
                drop(conv);
                return;
            }
            throw e;
        }
        save(conv, g);
    }

    private static boolean removesLeaf(MlsMessage commit, long leaf) {
        return commit.publicMessage().content().content() instanceof dev.parley.crypto.mls.message.Commit c
                && c.proposals().stream().anyMatch(p -> p.proposal() instanceof dev.parley.crypto.mls.message.Proposal.Remove r
                        && r.removed() == leaf);
    }

    private Shown application(Message m, String ownDevice) {
        String conv = m.conversationId();
        if (ownDevice != null && ownDevice.equals(m.senderDeviceId()) && m.clientMsgId() != null) {
            Optional<String> mine = tables.takeOwnPlaintext(m.clientMsgId());
            if (mine.isPresent()) {
                return new Shown(reveal(m, mine.get()), false, null);
            }
        }
        Optional<Group> held = group(conv);
        if (held.isEmpty()) {
            return new Shown(withBody(m, null), true, m.body());
        }
        Group g = held.get();
        MlsMessage msg = MlsMessage.decode(Base64.getDecoder().decode(m.body()));
        if (msg.wireFormat() != WireFormat.PRIVATE_MESSAGE
                || !Arrays.equals(msg.privateMessage().groupId(), groupId(conv))) {
            throw new MlsException("not a PrivateMessage of this group");
        }
        ApplicationMessages.Received got = ApplicationMessages.decrypt(g, msg);
        save(conv, g);
        // The leaf that encrypted must be the device the server says sent it: no member speaks for another
        // (checked in the tree of the epoch the message was sent in, the previous one for a late message).
        String leafIdentity = new String(got.senderCredential().identity(), StandardCharsets.UTF_8);
        if (!leafIdentity.equals(m.senderId() + "/" + m.senderDeviceId())) {
            throw new MlsException("the encrypting leaf is not the sending device");
        }
        return new Shown(reveal(m, E2eeContent.fromBytes(got.data())), false, null);
    }

    /**
     * The entry as shown: its text, and for a message with encrypted files, the files' media ids as its
     * attachments (not their thumbnails'), whose keys are kept, sealed, for {@link #file}.
     */
    private Message reveal(Message m, String contentString) {
        E2eeContent.Content content = E2eeContent.decode(contentString);
        if (content.files().isEmpty()) {
            return withBody(m, content.text());
        }
        keepFiles(content);
        Message shown = withBody(m, content.text());
        return new Message(shown.conversationId(), shown.seq(), shown.messageId(), shown.senderId(),
                shown.senderDeviceId(), shown.clientMsgId(), shown.kind(), shown.body(), shown.target(), shown.emoji(),
                shown.on(), shown.replyTo(), shown.threadRoot(), content.fileIds(), shown.system(), shown.deleted(),
                shown.sentAtMs(), shown.epoch(), shown.recipients());
    }

    private void keepFiles(E2eeContent.Content content) {
        for (E2eeContent.SealedFile f : content.files()) {
            tables.putSecret(FILE_SECRET + f.mediaId(), dev.parley.protocol.Json.encodeBytes(f));
        }
    }

    /** The key and description of an encrypted file this device has seen in a message (or sent). */
    Optional<E2eeContent.SealedFile> file(String mediaId) {
        return store.tx(() -> tables.secret(FILE_SECRET + mediaId).map(b -> {
            try {
                return dev.parley.protocol.Json.mapper().readValue(b, E2eeContent.SealedFile.class);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("a kept file key does not decode", e);
            } finally {
                Zeroize.wipe(b);
            }
        }));
    }

    /** Keeps an entry's ciphertext and marks it undecryptable (it may open later, once this device joins). */
    void markUndecryptable(Message m, String ciphertext) {
        tables.markUndecryptable(m.conversationId(), m.seq(), ciphertext);
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    static byte[] groupId(String conversationId) {
        return conversationId.getBytes(StandardCharsets.UTF_8);
    }

    static String identity(LeafNode leaf) {
        return new String(leaf.credential().identity(), StandardCharsets.UTF_8);
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Message withBody(Message m, String body) {
        return new Message(m.conversationId(), m.seq(), m.messageId(), m.senderId(), m.senderDeviceId(),
                m.clientMsgId(), m.kind(), body, m.target(), m.emoji(), m.on(), m.replyTo(), m.threadRoot(),
                m.attachments(), m.system(), m.deleted(), m.sentAtMs(), m.epoch(), m.recipients());
    }
}
