package dev.parley.core.mls;

/**
 * One occupied leaf of an MLS group as the Delivery Service sees it: which device holds it and the Ed25519 key
 * its handshake messages are signed with. The server keeps nothing else of the tree.
 *
 * @param index        the leaf index (unsigned 32-bit)
 * @param signatureKey the leaf's raw signature public key
 */
public record MlsLeaf(long index, String userId, String deviceId, byte[] signatureKey) {
    public MlsLeaf {
        signatureKey = signatureKey.clone();
    }

    @Override
    public byte[] signatureKey() {
        return signatureKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MlsLeaf l && l.index == index && l.userId.equals(userId) && l.deviceId.equals(deviceId)
                && java.util.Arrays.equals(l.signatureKey, signatureKey);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + deviceId.hashCode();
    }

    @Override
    public String toString() {
        return "MlsLeaf[index=" + index + ", userId=" + userId + ", deviceId=" + deviceId + "]";
    }
}
