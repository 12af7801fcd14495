package dev.parley.client;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.ServerFrame;
import dev.parley.protocol.Uuid7;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership changes of end-to-end encrypted conversations, made by this device as MLS Commits: claim the
 * KeyPackages of the devices to add (checked here: suite, signatures, lifetime, and a credential naming the
 * very user and device the directory returned), build the Commit on the current epoch, send it as an
 * {@code mls-commit} entry, and once the server stored it move the group on and send the Welcome to the new
 * devices only ({@code mls-welcome} with {@code recipients}). A Commit refused with {@code conflict} lost the
 * epoch race: its secrets are discarded, the winning Commit is awaited (the replica applies it in log order)
 * and the change is built again on the new epoch. Blocking; runs on the caller's thread.
 */
final class MlsCommits {
    private static final Logger LOG = LoggerFactory.getLogger(MlsCommits.class);
    private static final int MAX_ATTEMPTS = 8;
    private static final int MAX_RESENDS = 3;

    private final HttpApiClient api;
    private final Session session;
    private final MlsConversations groups;
    private final Supplier<ServerLink> online;
    private final Clock clock;
    private final Duration timeout;

    MlsCommits(HttpApiClient api, Session session, MlsConversations groups, Supplier<ServerLink> online, Clock clock,
               Duration timeout) {
        this.api = api;
        this.session = session;
        this.groups = groups;
        this.online = online;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** A new conversation's group: this device alone at epoch 0, then one Commit adding every other device. */
    void create(String conversationId, List<String> memberIds) {
        groups.create(conversationId);
        Set<String> users = new LinkedHashSet<>(memberIds);
        users.add(session.userId()); // this user's other devices too
        change(conversationId, List.copyOf(users), List.of());
    }

    /** Adds every device of {@code addUserIds} and removes every device of {@code removeUserIds}, by Commit. */
    void change(String conversationId, List<String> addUserIds, List<String> removeUserIds) {
        List<HttpApiClient.ClaimedKeyPackage> claimed = addUserIds.isEmpty() ? List.of()
                : checked(api.claimKeyPackages(session.token(), addUserIds), addUserIds);
        commit(conversationId, claimed, id -> removeUserIds.contains(userOf(id)));
    }

    /**
     * Removes the leaves of revoked devices from every e2ee group this device is in, as the server reports them
     * ({@code GET /v1/mls/revoked-leaves}): one Commit per conversation. Another member doing the same first is
     * fine: the rebuilt Commit then has nothing left to remove. Returns how many conversations were changed.
     */
    int removeRevoked() {
        int changed = 0;
        for (HttpApiClient.RevokedLeaves r : api.revokedLeaves(session.token())) {
            if (groups.epoch(r.conversationId()).isEmpty()) {
                continue; // not in this group (yet): its members will do it
            }
            Set<String> gone = new java.util.HashSet<>();
            r.leaves().forEach(l -> gone.add(l.userId() + "/" + l.deviceId()));
            try {
                commit(r.conversationId(), List.of(), gone::contains);
                changed++;
            } catch (ParleyException e) {
                LOG.debug("removing revoked devices from {} failed: {}", r.conversationId(), e.code());
            }
        }
        return changed;
    }

    private void commit(String conversationId, List<HttpApiClient.ClaimedKeyPackage> claimed,
                        java.util.function.Predicate<String> remove) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            String clientMsgId = Uuid7.next();
            Optional<MlsConversations.Built> built;
            try {
                built = groups.buildCommit(conversationId, clientMsgId, claimed, remove);
            } catch (MlsConversations.NotReady e) {
                throw new ParleyException(ErrorCode.CONFLICT, "this device is not in the conversation's MLS group");
            }
            if (built.isEmpty()) {
                return;
            }
            MlsConversations.Built b = built.get();
            // If this throws, it is unknown whether the server stored the Commit: if it did, its log entry
            // merges it when it arrives (the pending Commit is kept until then).
            ServerFrame answer = request(id -> ClientFrame.Send.mlsCommit(id, conversationId, clientMsgId, b.commit(),
                    b.epoch(), b.groupContext()));
            if (answer instanceof ServerFrame.Sent) {
                groups.committed(clientMsgId);
                b.welcome().ifPresent(w -> sendWelcome(conversationId, w, b.recipients()));
                return;
            }
            groups.discard(clientMsgId);
            ServerFrame.Error e = (ServerFrame.Error) answer;
            if (e.code() != ErrorCode.CONFLICT) {
                throw new ParleyException(e.code(), "commit refused: " + e.message());
            }
            LOG.debug("commit on epoch {} of {} lost the race (attempt {}); rebuilding", b.epoch(), conversationId, attempt);
            awaitEpochAfter(conversationId, b.epoch());
        }
        throw new ParleyException(ErrorCode.CONFLICT, "the commit lost the epoch race " + MAX_ATTEMPTS + " times");
    }

    private void sendWelcome(String conversationId, String welcome, List<String> recipients) {
        String clientMsgId = Uuid7.next();
        ServerFrame answer = request(id -> ClientFrame.Send.mlsWelcome(id, conversationId, clientMsgId, welcome, recipients));
        if (answer instanceof ServerFrame.Error e) {
            LOG.warn("the Welcome for {} device(s) of {} was refused: {}", recipients.size(), conversationId, e.code());
            throw new ParleyException(e.code(), "welcome refused: " + e.message());
        }
    }

    /**
     * Sends a frame and returns {@code sent} or {@code error}; when the connection drops before the answer
     * the same frame (same {@code clientMsgId}, so stored once) goes again on the next connection.
     */
    private ServerFrame request(java.util.function.Function<String, ClientFrame> frame) {
        RuntimeException last = null;
        for (int i = 0; i < MAX_RESENDS; i++) {
            ServerLink link = awaitOnline();
            try {
                return link.request(frame.apply(link.newId()), timeout).get();
            } catch (ExecutionException e) {
                last = new ParleyException(ErrorCode.UNAVAILABLE, "no answer: " + ServerLink.rootMessage(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ParleyException(ErrorCode.UNAVAILABLE, "interrupted");
            }
        }
        throw last;
    }

    private ServerLink awaitOnline() {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ServerLink link = online.get();
            if (link != null && link.isOpen()) {
                return link;
            }
            if (System.nanoTime() > deadline) {
                throw new ParleyException(ErrorCode.UNAVAILABLE, "offline: an MLS commit needs the server");
            }
            sleep();
        }
    }

    /** Waits until the replica has applied the Commit that won {@code epoch}. */
    private void awaitEpochAfter(String conversationId, long epoch) {
        long deadline = System.nanoTime() + timeout.toNanos() * 2;
        while (groups.epoch(conversationId).orElse(Long.MAX_VALUE) <= epoch) {
            if (System.nanoTime() > deadline) {
                throw new ParleyException(ErrorCode.UNAVAILABLE, "the commit that won epoch " + epoch + " did not arrive");
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParleyException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    /** Only packages that are valid, of a user asked for, and whose credential names the device they came for. */
    private List<HttpApiClient.ClaimedKeyPackage> checked(List<HttpApiClient.ClaimedKeyPackage> claimed,
                                                          List<String> users) {
        String ownDevice = session.deviceId().orElse("");
        List<HttpApiClient.ClaimedKeyPackage> out = new ArrayList<>();
        for (HttpApiClient.ClaimedKeyPackage c : claimed) {
            if (ownDevice.equals(c.deviceId()) || !users.contains(c.userId())) {
                continue;
            }
            try {
                MlsMessage m = MlsMessage.decode(Base64.getDecoder().decode(c.keyPackage()));
                if (m.wireFormat() != WireFormat.KEY_PACKAGE) {
                    throw new MlsException("not a KeyPackage");
                }
                KeyPackage kp = m.keyPackage();
                KeyPackages.validate(MlsDevice.SUITE, kp, clock.millis() / 1000);
                String identity = new String(kp.leafNode().credential().identity(), StandardCharsets.UTF_8);
                if (!identity.equals(c.userId() + "/" + c.deviceId())) {
                    throw new MlsException("credential names another device");
                }
                out.add(c);
            } catch (MlsException | IllegalArgumentException e) {
                LOG.warn("skipping a KeyPackage of device {} of user {}: {}", c.deviceId(), c.userId(), e.getMessage());
            }
        }
        return out;
    }

    static String userOf(String identity) {
        int slash = identity.indexOf('/');
        return slash < 0 ? identity : identity.substring(0, slash);
    }
}
