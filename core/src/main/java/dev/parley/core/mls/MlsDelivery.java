package dev.parley.core.mls;

import dev.parley.core.Appended;
import dev.parley.core.Caller;
import dev.parley.core.ChatException;
import dev.parley.core.Conversation;
import dev.parley.core.Device;
import dev.parley.core.Limits;
import dev.parley.core.NewEntry;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EpochConflictException;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.AccountStore;
import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.MlsFraming;
import dev.parley.core.port.MlsGroupStore;
import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.EntryKind;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Message;
import dev.parley.protocol.SystemAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MLS Delivery Service's rules (docs/e2ee.md, "Delivery Service"): what an e2ee conversation accepts as a
 * Commit, a Welcome or an application message, checked on public framing only, and what an accepted Commit does
 * to the server's view of the tree and to the member list. It never sees a secret and never decrypts.
 */
public final class MlsDelivery {
    private static final Logger log = LoggerFactory.getLogger(MlsDelivery.class);
    /** Handshake bodies may be this many times the ordinary body limit (a Commit or Welcome for a big group). */
    public static final int HANDSHAKE_BODY_FACTOR = 16;
    /** At most this many recipients per Welcome. */
    public static final int MAX_RECIPIENTS = 1000;
    private static final int E2EE_CACHE = 100_000;

    private final MessageStore store;
    private final MlsGroupStore groups;
    private final AccountStore accounts;
    private final MlsFraming framing;
    private final EventBus bus;
    private final Consumer<String> membersChanged;
    private final IdGenerator ids;
    private final Clock clock;
    private final Limits limits;
    private final LeafDevices leafDevices = new LeafDevices();
    /** Whether a conversation is e2ee never changes: cached without invalidation (bounded LRU). */
    private final Map<String, Boolean> e2ee = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > E2EE_CACHE;
        }
    };

    /**
     * @param membersChanged told the id of a conversation whose member list an accepted Commit changed (the
     *                       caller's member cache)
     */
    public MlsDelivery(MessageStore store, MlsGroupStore groups, AccountStore accounts, MlsFraming framing,
                       EventBus bus, Consumer<String> membersChanged, IdGenerator ids, Clock clock, Limits limits) {
        this.store = store;
        this.groups = groups;
        this.accounts = accounts;
        this.framing = framing;
        this.bus = bus;
        this.membersChanged = membersChanged;
        this.ids = ids;
        this.clock = clock;
        this.limits = limits;
    }

    /** Whether the conversation exists and is end-to-end encrypted (cached). */
    /** Whether the conversation is e2ee, if that is cached (never reads the store); null when not known yet. */
    public Boolean e2eeIfKnown(String conversationId) {
        synchronized (e2ee) {
            return e2ee.get(conversationId);
        }
    }

    public boolean isE2ee(String conversationId) {
        synchronized (e2ee) {
            Boolean hit = e2ee.get(conversationId);
            if (hit != null) {
                return hit;
            }
        }
        Optional<Conversation> c = store.findConversation(conversationId);
        c.ifPresent(found -> {
            synchronized (e2ee) {
                e2ee.put(conversationId, found.e2ee());
            }
        });
        return c.map(Conversation::e2ee).orElse(false);
    }

    /** A leaf of an e2ee group whose device's session was revoked. */
    public record RevokedLeaf(long leafIndex, String userId, String deviceId) {
    }

    /** The revoked leaves of one e2ee conversation at its current epoch. */
    public record RevokedLeaves(String conversationId, long epoch, List<RevokedLeaf> leaves) {
    }

    /**
     * For each e2ee conversation of the caller whose group holds a leaf of a revoked device (signed out, password
     * changed, account disabled or erased): those leaves. A member device commits their removal; the server never
     * does (it cannot make a Commit). Costs one read of the leaves per e2ee conversation and one device query.
     */
    public List<RevokedLeaves> revokedLeaves(Caller caller) {
        Map<String, MlsGroupView> views = new LinkedHashMap<>();
        Set<String> devices = new java.util.HashSet<>();
        for (String id : store.conversationIdsOf(caller.userId())) {
            if (!isE2ee(id)) {
                continue;
            }
            groups.group(id).ifPresent(v -> {
                views.put(id, v);
                v.leaves().forEach(l -> devices.add(l.deviceId()));
            });
        }
        if (devices.isEmpty()) {
            return List.of();
        }
        Set<String> active = new java.util.HashSet<>();
        for (Device d : accounts.findActiveDevices(devices)) {
            active.add(d.deviceId());
        }
        List<RevokedLeaves> out = new ArrayList<>();
        views.forEach((id, v) -> {
            List<RevokedLeaf> gone = v.leaves().stream().filter(l -> !active.contains(l.deviceId()))
                    .map(l -> new RevokedLeaf(l.index(), l.userId(), l.deviceId())).toList();
            if (!gone.isEmpty()) {
                out.add(new RevokedLeaves(id, v.epoch(), gone));
            }
        });
        return out;
    }

    /** The byte limit of a body of this kind. */
    public int maxBodyBytes(EntryKind kind) {
        return kind.isMls() ? limits.maxBodyBytes() * HANDSHAKE_BODY_FACTOR : limits.maxBodyBytes();
    }

    /**
     * An application body ({@code text}, {@code media}, {@code edit}) of an e2ee conversation: a PrivateMessage
     * framed for this group at an epoch no later than the current one, from a device that is a leaf of the group
     * ({@code forbidden} otherwise).
     */
    public void checkApplication(Caller caller, String conversationId, String body) {
        MlsFraming.Framed f = read(() -> framing.application(base64(body, "body")));
        requireGroup(conversationId, f.groupId());
        long current = groups.epoch(conversationId).orElseThrow(() -> ChatException.notFound("conversation"));
        if (Long.compareUnsigned(f.epoch(), current) > 0) {
            throw ChatException.badRequest("the message is for epoch " + Long.toUnsignedString(f.epoch())
                    + ", later than the conversation's epoch " + current);
        }
        // Only a device that is a leaf now may write: a removed (or never added) device is refused, whatever
        // it still knows. Which leaf encrypted is sealed in the message; members check it is the sender.
        if (!leafDevices.isLeaf(conversationId, current, caller.deviceId(), () -> group(conversationId))) {
            throw ChatException.forbidden("this device is not in the conversation's MLS group");
        }
    }

    /**
     * An {@code mls-welcome}: a Welcome of suite 1 from a device that is a leaf of the group, for recipients that
     * are leaves of members' devices.
     */
    public void checkWelcome(Caller caller, String conversationId, ClientFrame.Send send) {
        int secrets = read(() -> framing.welcome(base64(send.body(), "body")));
        Set<String> recipients = new LinkedHashSet<>(send.recipients());
        if (recipients.size() != send.recipients().size()) {
            throw ChatException.badRequest("recipients must be distinct");
        }
        if (recipients.size() > Math.min(MAX_RECIPIENTS, secrets)) {
            throw ChatException.badRequest("a Welcome with " + secrets + " group secrets has at most "
                    + Math.min(MAX_RECIPIENTS, secrets) + " recipients");
        }
        Map<String, MlsLeaf> leaves = new HashMap<>();
        for (MlsLeaf leaf : group(conversationId).leaves()) {
            leaves.put(leaf.deviceId(), leaf);
        }
        Set<String> members = Set.copyOf(store.findConversation(conversationId)
                .orElseThrow(() -> ChatException.notFound("conversation")).members());
        if (!leaves.containsKey(caller.deviceId())) {
            throw ChatException.forbidden("only a device in the group sends a Welcome");
        }
        for (String deviceId : recipients) {
            MlsLeaf leaf = leaves.get(deviceId);
            if (leaf == null || !members.contains(leaf.userId())) {
                throw ChatException.badRequest("recipient " + deviceId
                        + " is not a device of a member in the group (send the Welcome after its Commit)");
            }
        }
    }

    /**
     * An {@code mls-commit} from a member: checked against the group ({@link #planCommit}), then stored only if
     * the epoch has not moved meanwhile, then published with its membership changes.
     *
     * @return completes once durable; fails with {@link ChatException} {@code conflict} if another Commit won
     */
    public CompletableFuture<Appended> commit(Caller caller, ClientFrame.Send send) {
        Conversation c = store.findConversation(send.conversationId())
                .orElseThrow(() -> ChatException.notFound("conversation"));
        NewEntry entry = NewEntry.of(EntryKind.MLS_COMMIT, send.conversationId(), ids.newId("msg"), clock.millis())
                .from(caller.userId(), caller.deviceId()).clientMsgId(send.clientMsgId()).body(send.body())
                .epoch(send.epoch()).build();
        MlsCommit plan = planCommit(caller, c, send, entry);
        return groups.appendCommit(plan).handle((appended, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                        : error;
                if (cause instanceof EpochConflictException) {
                    throw new ChatException(ErrorCode.CONFLICT, "the conversation is no longer at epoch "
                            + send.epoch());
                }
                throw error instanceof CompletionException ce ? ce : new CompletionException(error);
            }
            // runs on: the store's completion thread (publishing does not block)
            for (Appended a : appended) {
                if (!a.duplicate()) {
                    bus.publish(EventBus.conversationTopic(c.conversationId()), new BusEvent.EntryAdded(a.entry()));
                }
            }
            if (appended.size() > 1) {
                membersChanged.accept(c.conversationId());
                for (NewEntry system : plan.system()) {
                    NewEntry.MembershipChange change = system.membership();
                    for (String id : system.system().userIds()) {
                        bus.publish(EventBus.userTopic(id), new BusEvent.MembershipChanged(c.conversationId(),
                                change.added(), change.removed()));
                    }
                }
                log.info("members changed by an MLS commit conversationId={} epoch={}", c.conversationId(),
                        send.epoch() + 1);
            }
            return appended.getFirst();
        });
    }

    /**
     * Checks an {@code mls-commit} against the server's view of the group and works out what it changes.
     *
     * @param entry the commit's log entry, as it will be appended
     * @throws ChatException {@code conflict} if the Commit is not built on the current epoch, {@code forbidden}
     *                       if the sender may not commit as that leaf, {@code bad_request} for anything else
     */
    public MlsCommit planCommit(Caller caller, Conversation c, ClientFrame.Send send, NewEntry entry) {
        byte[] message = base64(send.body(), "body");
        MlsFraming.Commit commit = read(() -> framing.commit(message, clock.millis() / 1000));
        requireGroup(c.conversationId(), commit.groupId());
        if (commit.epoch() != send.epoch()) {
            throw ChatException.badRequest("the Commit is framed for epoch " + Long.toUnsignedString(commit.epoch())
                    + ", not the frame's epoch " + send.epoch());
        }
        MlsGroupView group = group(c.conversationId());
        if (send.epoch() != group.epoch()) {
            throw new ChatException(ErrorCode.CONFLICT, "the conversation is at epoch " + group.epoch()
                    + ", not " + send.epoch());
        }
        byte[] context = base64(send.groupContext(), "groupContext");
        MlsFraming.Framed ctx = read(() -> framing.groupContext(context));
        requireGroup(c.conversationId(), ctx.groupId());
        if (ctx.epoch() != send.epoch()) {
            throw ChatException.badRequest("groupContext is for epoch " + Long.toUnsignedString(ctx.epoch()));
        }
        String me = identity(caller.userId(), caller.deviceId());
        TreeMap<Long, MlsLeaf> before = new TreeMap<>();
        MlsLeaf sender;
        if (group.epoch() == 0) {
            if (!caller.userId().equals(c.createdBy())) {
                throw ChatException.forbidden("only a device of the conversation's creator makes the first Commit");
            }
            MlsFraming.Leaf path = commit.pathLeaf().orElseThrow(
                    () -> ChatException.badRequest("the first Commit must carry an UpdatePath"));
            if (commit.senderLeaf() != 0 || !path.identity().equals(me)) {
                throw ChatException.forbidden("the first Commit must come from leaf 0 naming this device (" + me + ")");
            }
            sender = new MlsLeaf(0, caller.userId(), caller.deviceId(), path.signatureKey());
            before.put(0L, sender);
        } else {
            group.leaves().forEach(l -> before.put(l.index(), l));
            sender = before.get(commit.senderLeaf());
            if (sender == null || !sender.deviceId().equals(caller.deviceId())
                    || !sender.userId().equals(caller.userId())) {
                throw ChatException.forbidden("leaf " + commit.senderLeaf() + " is not this device's leaf");
            }
        }
        if (!framing.signatureVerifies(message, context, sender.signatureKey())) {
            throw ChatException.badRequest("signature did not verify");
        }
        TreeMap<Long, MlsLeaf> after = new TreeMap<>(before);
        List<Long> cleared = new ArrayList<>();
        for (long removed : commit.removed()) {
            if (removed == sender.index()) {
                throw ChatException.badRequest("a Commit may not remove its sender");
            }
            if (after.remove(removed) == null) {
                throw ChatException.badRequest("Remove names leaf " + removed + ", which is blank");
            }
            cleared.add(removed);
        }
        List<MlsLeaf> set = new ArrayList<>();
        if (group.epoch() == 0) {
            set.add(sender);
        }
        for (MlsLeaf added : adds(commit.added(), after)) {
            after.put(added.index(), added);
            set.add(added);
        }
        if (commit.pathLeaf().isPresent()) {
            MlsFraming.Leaf path = commit.pathLeaf().get();
            if (!path.identity().equals(me)) {
                throw ChatException.forbidden("the UpdatePath's leaf must keep this device's credential");
            }
            if (!Arrays.equals(path.signatureKey(), sender.signatureKey())) {
                MlsLeaf renewed = new MlsLeaf(sender.index(), sender.userId(), sender.deviceId(), path.signatureKey());
                after.put(sender.index(), renewed);
                set.removeIf(l -> l.index() == sender.index());
                set.add(renewed);
            }
        }
        return new MlsCommit(entry, group.epoch(), cleared, set, memberChanges(caller, c, before, after));
    }

    /** Places each Add at the leftmost blank leaf, in order (RFC 9420 §7.7), after checking its device. */
    private List<MlsLeaf> adds(List<MlsFraming.Leaf> added, TreeMap<Long, MlsLeaf> leaves) {
        if (added.isEmpty()) {
            return List.of();
        }
        Map<String, String[]> named = new LinkedHashMap<>();
        for (MlsFraming.Leaf leaf : added) {
            String[] parts = parseIdentity(leaf.identity());
            if (named.put(parts[1], parts) != null) {
                throw ChatException.badRequest("device " + parts[1] + " is added twice");
            }
        }
        Map<String, Device> devices = new HashMap<>();
        for (Device d : accounts.findActiveDevices(named.keySet())) {
            devices.put(d.deviceId(), d);
        }
        Set<String> present = new LinkedHashSet<>();
        leaves.values().forEach(l -> present.add(l.deviceId()));
        List<MlsLeaf> placed = new ArrayList<>();
        TreeMap<Long, MlsLeaf> occupied = new TreeMap<>(leaves);
        for (MlsFraming.Leaf leaf : added) {
            String[] parts = parseIdentity(leaf.identity());
            Device d = devices.get(parts[1]);
            if (d == null || !d.userId().equals(parts[0])) {
                throw ChatException.badRequest("Add names " + leaf.identity() + ", not an active device of that user");
            }
            if (present.contains(parts[1])) {
                throw ChatException.badRequest("device " + parts[1] + " is already in the group");
            }
            long index = 0;
            while (occupied.containsKey(index)) {
                index++;
            }
            MlsLeaf l = new MlsLeaf(index, parts[0], parts[1], leaf.signatureKey());
            occupied.put(index, l);
            placed.add(l);
        }
        return placed;
    }

    /** The system entries for users who gain their first leaf or lose their last one. */
    private List<NewEntry> memberChanges(Caller caller, Conversation c, Map<Long, MlsLeaf> before,
                                         Map<Long, MlsLeaf> after) {
        Set<String> usersBefore = new LinkedHashSet<>();
        before.values().forEach(l -> usersBefore.add(l.userId()));
        Set<String> usersAfter = new LinkedHashSet<>();
        after.values().forEach(l -> usersAfter.add(l.userId()));
        List<String> added = usersAfter.stream().filter(u -> !c.members().contains(u)).toList();
        List<String> removed = usersBefore.stream()
                .filter(u -> !usersAfter.contains(u) && c.members().contains(u)).toList();
        if (c.isDirect()) {
            if (!added.isEmpty()) {
                throw ChatException.badRequest("a direct conversation has exactly two members");
            }
            return List.of(); // its two members stay members, whatever their devices
        }
        if (c.members().size() + added.size() > limits.maxMembers()) {
            throw ChatException.badRequest("a conversation has at most " + limits.maxMembers() + " members");
        }
        List<NewEntry> system = new ArrayList<>();
        if (!added.isEmpty()) {
            system.add(systemEntry(caller, c, SystemAction.ADDED, added,
                    new NewEntry.MembershipChange(added, List.of())));
        }
        if (!removed.isEmpty()) {
            system.add(systemEntry(caller, c, SystemAction.REMOVED, removed,
                    new NewEntry.MembershipChange(List.of(), removed)));
        }
        return system;
    }

    private NewEntry systemEntry(Caller caller, Conversation c, SystemAction action, List<String> userIds,
                                 NewEntry.MembershipChange change) {
        return NewEntry.of(EntryKind.SYSTEM, c.conversationId(), ids.newId("msg"), clock.millis())
                .from(caller.userId(), caller.deviceId()).system(new Message.SystemChange(action, userIds, null))
                .membership(change).build();
    }

    /** The credential identity of a device: {@code <userId>/<deviceId>}. */
    public static String identity(String userId, String deviceId) {
        return userId + "/" + deviceId;
    }

    private static String[] parseIdentity(String identity) {
        int slash = identity.indexOf('/');
        if (slash <= 0 || slash == identity.length() - 1 || identity.indexOf('/', slash + 1) >= 0) {
            throw ChatException.badRequest("a credential must name <userId>/<deviceId>");
        }
        return new String[] {identity.substring(0, slash), identity.substring(slash + 1)};
    }

    private MlsGroupView group(String conversationId) {
        return groups.group(conversationId).orElseThrow(() -> ChatException.notFound("conversation"));
    }

    private static void requireGroup(String conversationId, byte[] groupId) {
        if (!Arrays.equals(groupId, conversationId.getBytes(StandardCharsets.UTF_8))) {
            throw ChatException.badRequest("the message is framed for another group (the group id must be the"
                    + " conversation id)");
        }
    }

    private static byte[] base64(String text, String field) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ChatException.badRequest(field + " must be standard base64");
        }
    }

    private static <T> T read(Supplier<T> decode) {
        try {
            return decode.get();
        } catch (IllegalArgumentException e) {
            throw ChatException.badRequest(e.getMessage());
        }
    }
}
