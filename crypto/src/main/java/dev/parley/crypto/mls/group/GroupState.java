package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.schedule.EpochSecrets;
import dev.parley.crypto.mls.schedule.SecretTree;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.tree.PathKeys;
import dev.parley.crypto.mls.tree.RatchetTree;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Saves a member's {@link Group} to bytes and restores it, so that a client keeps its groups across
 * restarts. Everything the group holds is written as it is, nothing derived again: the ratchet tree, the
 * private path keys, the signature key, the epoch secrets, the secret tree with every ratchet's position
 * and its retained keys (so a key already used stays unusable after a restore: no replay), the interim
 * transcript hash, the previous epoch's application keys and the resumption PSKs.
 *
 * <p>The encoding is secret (it holds private keys and epoch secrets): the caller encrypts it at rest
 * and wipes it after use. It starts with a magic and a version; a version this code does not know is
 * refused, so a later format is added as a new version beside this one, never by changing it.
 *
 * <pre>
 * "PLGS" uint16 version(1) uint16 suite uint32 own_leaf opaque signature_key&lt;V&gt;
 * GroupContext opaque ratchet_tree&lt;V&gt; uint32 leaf_count PathKeys EpochSecrets SecretTree
 * opaque interim_transcript_hash&lt;V&gt;
 * optional&lt;GroupContext, opaque tree&lt;V&gt;, uint32 leaf_count, SecretTree, opaque sender_data_secret&lt;V&gt;&gt; previous
 * {uint64 epoch, opaque psk&lt;V&gt;} resumption_psks&lt;V&gt;
 * </pre>
 */
public final class GroupState {
  /** The only version this code writes and reads. */
  public static final int VERSION = 1;
  private static final byte[] MAGIC = {'P', 'L', 'G', 'S'};

  private GroupState() {}

  /** The whole state of {@code group}; the caller must keep the bytes secret and wipe them after use. */
  public static byte[] encode(Group group) {
    TlsWriter w = new TlsWriter();
    w.fixed(MAGIC).uint16(VERSION).uint16(group.suite().id()).uint32(group.ownLeaf())
        .opaque(group.signaturePrivateKey());
    group.context().write(w);
    writeTree(w, group.tree());
    group.pathKeys().writeState(w);
    group.secrets().writeState(w);
    group.secretTree().writeState(w);
    w.opaque(group.interimTranscriptHash());
    Group.PreviousEpoch p = group.previousEpoch().orElse(null);
    w.optional(p != null, v -> {
      p.context().write(v);
      writeTree(v, p.tree());
      p.secretTree().writeState(v);
      v.opaque(p.senderDataSecret());
    });
    w.vector(v -> group.resumptionPsks().forEach((epoch, psk) -> v.uint64(epoch).opaque(psk)));
    return w.toByteArray();
  }

  /**
   * Restores a group from {@link #encode}'s bytes.
   *
   * @throws MlsDecodeException for bytes that are not a saved group of a known version
   */
  public static Group decode(byte[] bytes) {
    TlsReader r = TlsReader.of(bytes);
    try {
      if (!Arrays.equals(r.fixed(MAGIC.length), MAGIC)) {
        throw new MlsDecodeException("not a saved MLS group");
      }
      int version = r.uint16();
      if (version != VERSION) {
        throw new MlsDecodeException("saved MLS group of unknown version " + version);
      }
      int suiteId = r.uint16();
      CipherSuite suite = CipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519;
      if (suiteId != suite.id()) {
        throw new MlsDecodeException("saved MLS group of unsupported ciphersuite " + suiteId);
      }
      long ownLeaf = r.uint32();
      byte[] signatureKey = r.opaque();
      GroupContext context = GroupContext.read(r);
      RatchetTree tree = readTree(r);
      PathKeys pathKeys = PathKeys.readState(r);
      EpochSecrets secrets = EpochSecrets.readState(suite, r);
      SecretTree secretTree = SecretTree.readState(suite, r);
      byte[] interim = r.opaque();
      Group.PreviousEpoch previous = null;
      if (r.present()) {
        GroupContext pc = GroupContext.read(r);
        RatchetTree pt = readTree(r);
        previous = new Group.PreviousEpoch(pc, pt, SecretTree.readState(suite, r), r.opaque());
      }
      Map<Long, byte[]> psks = new TreeMap<>();
      TlsReader v = r.vector();
      while (v.hasRemaining()) {
        psks.put(v.uint64(), v.opaque());
      }
      r.finish();
      if (pathKeys.leaf() != ownLeaf || tree.leaf(ownLeaf).isEmpty() || secretTree.leafCount() != tree.leafCount()
          || context.cipherSuite() != suiteId) {
        throw new MlsDecodeException("saved MLS group is inconsistent");
      }
      return Group.restored(suite, ownLeaf, signatureKey, context, tree, pathKeys, secrets, secretTree, interim,
          previous, psks);
    } catch (MlsDecodeException e) {
      throw e;
    } catch (MlsException | IllegalArgumentException e) {
      throw new MlsDecodeException("saved MLS group is malformed: " + e.getMessage());
    }
  }

  /** The wire form drops trailing blanks, so the leaf count is kept beside it and checked on reading. */
  private static void writeTree(TlsWriter w, RatchetTree tree) {
    w.opaque(tree.encode()).uint32(tree.leafCount());
  }

  private static RatchetTree readTree(TlsReader r) {
    RatchetTree tree = RatchetTree.decode(r.opaque());
    long leaves = r.uint32();
    if (leaves != tree.leafCount()) {
      throw new MlsDecodeException("saved ratchet tree has " + tree.leafCount() + " leaves, expected " + leaves);
    }
    return tree;
  }
}
