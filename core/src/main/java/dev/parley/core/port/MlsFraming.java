package dev.parley.core.port;

import java.util.List;
import java.util.Optional;

/**
 * Reads the public framing of MLS messages (RFC 9420) for the Delivery Service. The core knows nothing of MLS
 * encodings; the adapter does. Every method throws {@link IllegalArgumentException} with a reason a client
 * developer can act on when the bytes are not what is asked for.
 */
public interface MlsFraming {

    /** A leaf node or KeyPackage leaf: its basic credential's identity (UTF-8) and its signature key. */
    record Leaf(String identity, byte[] signatureKey) {
    }

    /**
     * What the server can read of a Commit sent as a PublicMessage.
     *
     * @param pathLeaf the UpdatePath's new leaf node for the sender, if the Commit has a path
     * @param removed  leaf indices of the Remove proposals, in order
     * @param added    the leaves of the Add proposals' KeyPackages, in order
     */
    record Commit(byte[] groupId, long epoch, long senderLeaf, Optional<Leaf> pathLeaf, List<Long> removed,
                  List<Leaf> added) {
    }

    /** The group id and epoch of a GroupContext or of a PrivateMessage. */
    record Framed(byte[] groupId, long epoch) {
    }

    /**
     * Decodes an MLSMessage that must be a PublicMessage holding a Commit from a member, with inline Add, Remove,
     * PreSharedKey or GroupContextExtensions proposals only; each Add's KeyPackage must be valid at
     * {@code nowSeconds} (suite, version, keys, signatures, lifetime) with a basic credential.
     */
    Commit commit(byte[] message, long nowSeconds);

    /** Decodes a GroupContext of protocol {@code mls10} and ciphersuite 1. */
    Framed groupContext(byte[] context);

    /**
     * Whether the Commit's signature verifies under {@code signatureKey}, signed over {@code context}
     * ({@code FramedContentTBS}, RFC 9420 §6.1). The membership tag is not checked: it needs epoch secrets.
     */
    boolean signatureVerifies(byte[] message, byte[] context, byte[] signatureKey);

    /** Decodes an MLSMessage that must be a PrivateMessage carrying application data. */
    Framed application(byte[] message);

    /**
     * Decodes an MLSMessage that must be a Welcome of ciphersuite 1.
     *
     * @return the number of {@code EncryptedGroupSecrets} it carries (at most that many recipients)
     */
    int welcome(byte[] message);
}
