package dev.parley.crypto.mls.interop;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.mls.TreeKEM.LeafIndex;
import org.bouncycastle.mls.TreeKEM.LeafNode;
import org.bouncycastle.mls.TreeKEM.LifeTime;
import org.bouncycastle.mls.codec.Capabilities;
import org.bouncycastle.mls.codec.Credential;
import org.bouncycastle.mls.codec.Extension;
import org.bouncycastle.mls.codec.KeyPackage;
import org.bouncycastle.mls.codec.MLSInputStream;
import org.bouncycastle.mls.codec.MLSMessage;
import org.bouncycastle.mls.codec.MLSOutputStream;
import org.bouncycastle.mls.codec.Proposal;
import org.bouncycastle.mls.codec.WireFormat;
import org.bouncycastle.mls.crypto.MlsCipherSuite;
import org.bouncycastle.mls.crypto.Secret;
import org.bouncycastle.mls.protocol.Group;

/**
 * One member driven through bcmls 1.84 (BouncyCastle's own MLS, test scope only). bcmls groups are
 * immutable: every commit made or handled yields a new {@link Group}, which this holder keeps. Everything
 * that leaves or enters is the encoded MLSMessage, the same bytes the Parley server carries.
 */
final class BcMlsPeer {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final MlsCipherSuite SUITE;

  static {
    try {
      SUITE = MlsCipherSuite.getSuite(MlsCipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519);
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A fresh KeyPackage with the private keys this peer needs to join from a Welcome. */
  private record Pending(AsymmetricCipherKeyPair init, AsymmetricCipherKeyPair encryption,
      AsymmetricCipherKeyPair signature, KeyPackage keyPackage) {}

  /** What a commit produced: the Commit, and the Welcome when it added someone (else null). */
  record Committed(byte[] commit, byte[] welcome) {}

  private final String identity;
  private Pending pending;
  private Group group;

  BcMlsPeer(String identity) {
    this.identity = identity;
  }

  private LeafNode leaf(AsymmetricCipherKeyPair encryption, AsymmetricCipherKeyPair signature) throws Exception {
    return new LeafNode(SUITE, SUITE.getHPKE().serializePublicKey(encryption.getPublic()),
        SUITE.serializeSignaturePublicKey(signature.getPublic()),
        Credential.forBasic(identity.getBytes(StandardCharsets.UTF_8)), new Capabilities(), new LifeTime(),
        new ArrayList<Extension>(), SUITE.serializeSignaturePrivateKey(signature.getPrivate()));
  }

  void create(String groupId) throws Exception {
    AsymmetricCipherKeyPair encryption = SUITE.getHPKE().generatePrivateKey();
    AsymmetricCipherKeyPair signature = SUITE.generateSignatureKeyPair();
    LeafNode leaf = leaf(encryption, signature);
    group = new Group(groupId.getBytes(StandardCharsets.UTF_8), SUITE, encryption,
        SUITE.serializeSignaturePrivateKey(signature.getPrivate()), leaf.copy(leaf.getEncryptionKey()),
        new ArrayList<Extension>());
  }

  /** A new KeyPackage (as an encoded MLSMessage); the next {@link #join} uses its private keys. */
  byte[] keyPackage() throws Exception {
    AsymmetricCipherKeyPair init = SUITE.getHPKE().generatePrivateKey();
    AsymmetricCipherKeyPair encryption = SUITE.getHPKE().generatePrivateKey();
    AsymmetricCipherKeyPair signature = SUITE.generateSignatureKeyPair();
    KeyPackage kp = new KeyPackage(SUITE, SUITE.getHPKE().serializePublicKey(init.getPublic()),
        leaf(encryption, signature), new ArrayList<Extension>(),
        SUITE.serializeSignaturePrivateKey(signature.getPrivate()));
    pending = new Pending(init, encryption, signature, kp);
    return MLSOutputStream.encode(MLSMessage.keyPackage(kp));
  }

  /** bcmls's own KeyPackage check (leaf node and KeyPackage signatures). */
  static boolean verifyKeyPackage(byte[] message) throws Exception {
    return ((MLSMessage) MLSInputStream.decode(message, MLSMessage.class)).keyPackage.verify();
  }

  /** Joins from a Welcome alone (the ratchet tree comes in its extension). */
  void join(byte[] welcome) throws Exception {
    MLSMessage message = (MLSMessage) MLSInputStream.decode(welcome, MLSMessage.class);
    group = new Group(SUITE.getHPKE().serializePrivateKey(pending.init().getPrivate()), pending.encryption(),
        SUITE.serializeSignaturePrivateKey(pending.signature().getPrivate()), pending.keyPackage(),
        message.welcome, null, new HashMap<Secret, byte[]>(), new HashMap<Group.EpochRef, byte[]>());
    pending = null;
  }

  /**
   * Commits adds (encoded KeyPackage messages) and removes (leaf indexes) by value, always with an
   * UpdatePath (forcePath), so an empty commit is the committer's own key update.
   */
  Committed commit(List<byte[]> adds, List<Integer> removes) throws Exception {
    List<Proposal> proposals = new ArrayList<>();
    for (byte[] kp : adds) {
      proposals.add(Proposal.add(((MLSMessage) MLSInputStream.decode(kp, MLSMessage.class)).keyPackage));
    }
    for (int leaf : removes) {
      proposals.add(Proposal.remove(new LeafIndex(leaf)));
    }
    byte[] leafSecret = new byte[SUITE.getKDF().getHashLength()];
    RANDOM.nextBytes(leafSecret);
    Group.GroupWithMessage next = group.commit(new Secret(leafSecret),
        new Group.CommitOptions(proposals, true, true, null), new Group.MessageOptions(false, new byte[0], 0),
        new Group.CommitParameters(Group.NORMAL_COMMIT_PARAMS));
    byte[] commit = MLSOutputStream.encode(next.message);
    byte[] welcome = null;
    if (!adds.isEmpty()) {
      // bcmls returns the Welcome inside the same MLSMessage object; re-tag it to encode the Welcome.
      next.message.wireFormat = WireFormat.mls_welcome;
      welcome = MLSOutputStream.encode(next.message);
    }
    group = next.group;
    return new Committed(commit, welcome);
  }

  /** An Update proposal for this member's own leaf (fresh HPKE key), sent as a PublicMessage. */
  byte[] updateProposal() throws Exception {
    Proposal update = group.updateProposal(SUITE.getHPKE().generatePrivateKey(), new Group.LeafNodeOptions());
    return MLSOutputStream.encode(group.update(update, new Group.MessageOptions(false, new byte[0], 0)));
  }

  /** Handles a Commit or a proposal from another member; a proposal only caches and keeps the epoch. */
  void handle(byte[] message) throws Exception {
    Group next = group.handle(message, null);
    if (next != null) {
      group = next;
    }
  }

  byte[] protect(String text) throws Exception {
    return MLSOutputStream.encode(group.protect(new byte[0], text.getBytes(StandardCharsets.UTF_8), 0));
  }

  String unprotect(byte[] message) throws Exception {
    byte[][] aadAndText = group.unprotect((MLSMessage) MLSInputStream.decode(message, MLSMessage.class));
    return new String(aadAndText[1], StandardCharsets.UTF_8);
  }

  long epoch() {
    return group.getEpoch();
  }

  int ownLeaf() {
    return group.getIndex().value();
  }

  byte[] epochAuthenticator() {
    return group.getEpochAuthenticator();
  }

  /** RFC 9420 §8.5 MLS-Exporter of the current epoch. */
  byte[] export(String label, byte[] context, int length) throws Exception {
    return group.getKeySchedule().MLSExporter(label, context, length);
  }

  /** Credential identities of the occupied leaves, in leaf order. */
  List<String> identities() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < group.getTree().getSize().leafCount(); i++) {
      LeafNode leaf = group.getTree().getLeafNode(new LeafIndex(i));
      if (leaf != null) {
        names.add(new String(leaf.getCredential().getIdentity(), StandardCharsets.UTF_8));
      }
    }
    return names;
  }
}
