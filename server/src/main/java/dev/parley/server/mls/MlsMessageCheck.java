package dev.parley.server.mls;

import dev.parley.core.port.MlsFraming;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.group.KeyPackages;
import dev.parley.crypto.mls.message.Content;
import dev.parley.crypto.mls.message.Credential;
import dev.parley.crypto.mls.message.FramedContent;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.message.LeafNode;
import dev.parley.crypto.mls.message.MlsMessage;
import dev.parley.crypto.mls.message.PrivateMessage;
import dev.parley.crypto.mls.message.Proposal;
import dev.parley.crypto.mls.message.PublicMessage;
import dev.parley.crypto.mls.message.Sender;
import dev.parley.crypto.mls.message.Welcome;
import dev.parley.crypto.mls.message.WireFormat;
import dev.parley.crypto.mls.suite.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Delivery Service's reading of MLS messages with the {@code crypto} module's decoders (every length checked
 * before allocation, trailing bytes refused) and signature checks. It only reads public framing: it has no
 * epoch secret, so membership tags, confirmation tags and ciphertexts are never checked (RFC 9420 §6.2).
 */
public final class MlsMessageCheck implements MlsFraming {
    private static final CipherSuite SUITE = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;

    @Override
    public Commit commit(byte[] bytes, long nowSeconds) {
        PublicMessage pm = decode(bytes, WireFormat.PUBLIC_MESSAGE, "mls_public_message (1)").publicMessage();
        FramedContent content = pm.content();
        if (content.contentType() != Content.COMMIT) {
            throw new IllegalArgumentException("the PublicMessage must hold a Commit");
        }
        if (content.sender().type() != Sender.MEMBER) {
            throw new IllegalArgumentException("a Commit must come from a member (no external commits)");
        }
        dev.parley.crypto.mls.message.Commit commit = (dev.parley.crypto.mls.message.Commit) content.content();
        List<Long> removed = new ArrayList<>();
        List<Leaf> added = new ArrayList<>();
        for (dev.parley.crypto.mls.message.Commit.ProposalOrRef p : commit.proposals()) {
            if (p.proposal() == null) {
                throw new IllegalArgumentException("proposals by reference are not accepted; send them inline");
            }
            switch (p.proposal()) {
                case Proposal.Add add -> {
                    try {
                        KeyPackages.validate(SUITE, add.keyPackage(), nowSeconds);
                    } catch (MlsException e) {
                        throw new IllegalArgumentException("an Add's KeyPackage is refused: " + e.getMessage());
                    }
                    added.add(leaf(add.keyPackage().leafNode()));
                }
                case Proposal.Remove remove -> removed.add(remove.removed());
                case Proposal.PreSharedKey ignored -> {
                }
                case Proposal.GroupContextExtensions ignored -> {
                }
                default -> throw new IllegalArgumentException("proposal type " + p.proposal().proposalType()
                        + " is not accepted in a Commit (only add, remove, psk, group_context_extensions)");
            }
        }
        Optional<Leaf> pathLeaf = Optional.empty();
        if (commit.path().isPresent()) {
            LeafNode leaf = commit.path().get().leafNode();
            if (leaf.source() != LeafNode.SOURCE_COMMIT || !SUITE.verifyWithLabel(leaf.signatureKey(), "LeafNodeTBS",
                    leaf.toBeSigned(content.groupId(), content.sender().index()), leaf.signature())) {
                throw new IllegalArgumentException("the UpdatePath's leaf node is not a Commit leaf signed by its key");
            }
            pathLeaf = Optional.of(leaf(leaf));
        }
        return new Commit(content.groupId(), content.epoch(), content.sender().index(), pathLeaf, removed, added);
    }

    @Override
    public Framed groupContext(byte[] bytes) {
        GroupContext context;
        try {
            TlsReader r = TlsReader.of(bytes);
            context = GroupContext.read(r);
            r.finish();
        } catch (MlsException e) {
            throw new IllegalArgumentException("groupContext is not a GroupContext: " + e.getMessage());
        }
        if (context.cipherSuite() != SUITE.id()) {
            throw new IllegalArgumentException("groupContext is for ciphersuite " + context.cipherSuite()
                    + ", not " + SUITE.id());
        }
        return new Framed(context.groupId(), context.epoch());
    }

    @Override
    public boolean signatureVerifies(byte[] message, byte[] contextBytes, byte[] signatureKey) {
        try {
            PublicMessage pm = MlsMessage.decode(message).publicMessage();
            TlsReader r = TlsReader.of(contextBytes);
            GroupContext context = GroupContext.read(r);
            r.finish();
            return pm != null && SUITE.verifyWithLabel(signatureKey, "FramedContentTBS",
                    pm.content().toBeSigned(WireFormat.PUBLIC_MESSAGE, context), pm.auth().signature());
        } catch (RuntimeException e) {
            return false; // a malformed key or message never verifies
        }
    }

    @Override
    public Framed application(byte[] bytes) {
        PrivateMessage pm = decode(bytes, WireFormat.PRIVATE_MESSAGE, "mls_private_message (2)").privateMessage();
        if (pm.contentType() != Content.APPLICATION) {
            throw new IllegalArgumentException("the PrivateMessage must carry application data");
        }
        return new Framed(pm.groupId(), pm.epoch());
    }

    @Override
    public int welcome(byte[] bytes) {
        Welcome welcome = decode(bytes, WireFormat.WELCOME, "mls_welcome (3)").welcome();
        if (welcome.cipherSuite() != SUITE.id()) {
            throw new IllegalArgumentException("the Welcome is for ciphersuite " + welcome.cipherSuite() + ", not "
                    + SUITE.id());
        }
        return welcome.secrets().size();
    }

    private static MlsMessage decode(byte[] bytes, int wireFormat, String expected) {
        MlsMessage message;
        try {
            message = MlsMessage.decode(bytes);
        } catch (MlsException e) {
            throw new IllegalArgumentException("not an MLSMessage: " + e.getMessage());
        }
        if (message.wireFormat() != wireFormat) {
            throw new IllegalArgumentException("an MLSMessage of wire format " + expected + " is expected, not "
                    + message.wireFormat());
        }
        return message;
    }

    private static Leaf leaf(LeafNode leaf) {
        Credential credential = leaf.credential();
        if (credential.type() != Credential.BASIC) {
            throw new IllegalArgumentException("leaves must have a basic credential naming <userId>/<deviceId>");
        }
        return new Leaf(new String(credential.identity(), StandardCharsets.UTF_8), leaf.signatureKey());
    }
}
