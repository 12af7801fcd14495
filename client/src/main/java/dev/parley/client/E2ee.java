package dev.parley.client;

import dev.parley.protocol.EntryKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End-to-end encryption (MLS, RFC 9420) for one client, behind one door: the device's keys and KeyPackages
 * ({@link MlsDevice}), one group per e2ee conversation following the log ({@link MlsConversations}), the Commits
 * that create groups and add or remove members ({@link MlsCommits}), and encrypted attachments
 * ({@link E2eeAttachments}). {@link ParleyClient} keeps the public e2ee methods and hands each to this class;
 * the replica gets the groups ({@link #groups()}) to decrypt the log as it applies it. docs/e2ee.md tells the
 * whole story.
 */
final class E2ee {
    private static final Logger LOG = LoggerFactory.getLogger(E2ee.class);

    private final LocalStore store;
    private final MlsDevice device;
    private final MlsConversations groups;
    private final MlsCommits commits;
    private final E2eeAttachments attachments;

    /**
     * @param cipher seals the MLS secrets before they reach the store ({@link MlsTables})
     * @param online the connection in use, or null while offline (Commits are sent on it)
     */
    E2ee(LocalStore store, StateCipher cipher, HttpApiClient api, Session session, MediaTransfer media, Clock clock,
         Supplier<ServerLink> online, Duration requestTimeout) {
        this.store = store;
        MlsTables tables = new MlsTables(store, cipher);
        this.device = new MlsDevice(tables, api, session, clock);
        this.groups = new MlsConversations(store, tables, device);
        this.attachments = new E2eeAttachments(media, groups);
        this.commits = new MlsCommits(api, session, groups, online, clock, requestTimeout);
    }

    /** The groups, for the replica: each e2ee entry is decrypted by them as it is applied. */
    MlsConversations groups() {
        return groups;
    }

    // ---- membership -----------------------------------------------------------------------------------

    /** This device's group at epoch 0, then one Commit adding every device of {@code memberIds} (and ours). */
    void create(String conversationId, List<String> memberIds) {
        commits.create(conversationId, memberIds);
    }

    /** Adds every device of each user by one Commit. */
    void addMembers(String conversationId, List<String> userIds) {
        commits.change(conversationId, userIds, List.of());
    }

    /** Removes every leaf of each user by one Commit. */
    void removeMembers(String conversationId, List<String> userIds) {
        commits.change(conversationId, List.of(), userIds);
    }

    /** @return how many KeyPackages the server holds for this device after topping them up */
    int ensureKeyPackages() {
        return device.replenish();
    }

    /** @return how many conversations had revoked devices removed */
    int removeRevokedDevices() {
        return commits.removeRevoked();
    }

    /**
     * Tops up this device's KeyPackages and removes revoked devices from its groups, on a virtual thread (on every
     * connection, and every 5 minutes while online). Failures are logged: the next round tries again.
     */
    void maintainInBackground() {
        Thread.ofVirtual().name("parley-key-packages").start(() -> {
            try {
                device.replenish();
            } catch (RuntimeException e) {
                LOG.debug("KeyPackage upload failed: {}", e.toString());
            }
            try {
                commits.removeRevoked();
            } catch (RuntimeException e) {
                LOG.debug("removing revoked devices failed: {}", e.toString());
            }
        });
    }

    // ---- verification ---------------------------------------------------------------------------------

    Optional<Long> epoch(String conversationId) {
        return groups.epoch(conversationId);
    }

    /** The epoch authenticator (RFC 9420 §8.7) as hex. */
    Optional<String> authenticator(String conversationId) {
        return groups.epochAuthenticator(conversationId).map(HexFormat.of()::formatHex);
    }

    /** The epoch authenticator as 30 digits ({@link SafetyNumber}). */
    Optional<String> safetyNumber(String conversationId) {
        return groups.epochAuthenticator(conversationId).map(SafetyNumber::of);
    }

    // ---- messages and attachments ---------------------------------------------------------------------

    /** What a queued item's body becomes on the wire: encrypted in e2ee conversations, as is elsewhere. */
    String sealForSending(LocalStore.OutboxItem row) {
        if (row.body() == null || !store.conversation(row.conversationId()).map(LocalStore.ConversationRow::e2ee)
                .orElse(false)) {
            return row.body();
        }
        // A media row's body is the content built by sealMedia (text and file keys); others are text as typed.
        String content = row.kind() == EntryKind.MEDIA ? row.body() : E2eeContent.plain(row.body());
        return groups.seal(row.conversationId(), row.clientMsgId(), content);
    }

    /** A file encrypted and uploaded: the message content to queue (caption and file keys) and the media to attach. */
    record SealedMedia(String content, List<String> mediaIds) {
    }

    /** Encrypts and uploads a file (and a thumbnail of an image) for a message of an e2ee conversation. */
    SealedMedia sealMedia(Path file, String mime, String filename, String caption, ProgressListener progress) {
        E2eeAttachments.Prepared prepared = attachments.prepare(file, mime, filename, progress);
        return new SealedMedia(E2eeContent.encode(caption, List.of(prepared.file())), prepared.mediaIds());
    }

    /** What this device knows of an encrypted attachment; empty for other media. */
    Optional<MediaInfo> attachment(String mediaId) {
        return attachments.describe(mediaId);
    }

    /** Downloads and opens an encrypted attachment; empty when this device holds no key for {@code mediaId}. */
    Optional<MediaLink> download(String mediaId, MediaVariant variant, Path target, ProgressListener progress) {
        return attachments.download(mediaId, variant, target, progress);
    }
}
