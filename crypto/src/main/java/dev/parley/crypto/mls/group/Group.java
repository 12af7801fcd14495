package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.schedule.EpochSecrets;
import dev.parley.crypto.mls.schedule.SecretTree;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;
import dev.parley.crypto.mls.tree.PathKeys;
import dev.parley.crypto.mls.tree.RatchetTree;
import java.util.Optional;

/**
 * One member's view of an MLS group at its current epoch: the agreed GroupContext and ratchet tree,
 * and this member's secrets (its path keys, the epoch secrets, the secret tree). Everything a member
 * needs to protect and unprotect messages and to process the next Commit. Secret: {@link #toString()}
 * shows only the epoch and leaf. Not thread-safe.
 */
public final class Group {
  private final CipherSuite suite;
  private final long ownLeaf;
  private final byte[] signaturePrivateKey;
  private GroupContext context;
  private RatchetTree tree;
  private PathKeys pathKeys;
  private EpochSecrets secrets;
  private SecretTree secretTree;
  private byte[] interimTranscriptHash;
  /** The epoch just left, kept only to read application messages sent before the sender saw the Commit. */
  private PreviousEpoch previous;
  /** Recent epochs' resumption PSKs (§8.6), oldest dropped first. */
  private final java.util.TreeMap<Long, byte[]> resumptionPsks = new java.util.TreeMap<>();
  private static final int RESUMPTION_EPOCHS_KEPT = 8;

  Group(CipherSuite suite, long ownLeaf, byte[] signaturePrivateKey, GroupContext context, RatchetTree tree,
      PathKeys pathKeys, EpochSecrets secrets, byte[] interimTranscriptHash) {
    this.suite = suite;
    this.ownLeaf = ownLeaf;
    this.signaturePrivateKey = signaturePrivateKey.clone();
    enter(context, tree, pathKeys, secrets, interimTranscriptHash);
  }

  /** A group as {@link GroupState} saved it: every field as it was, nothing derived again. */
  private Group(CipherSuite suite, long ownLeaf, byte[] signaturePrivateKey, GroupContext context, RatchetTree tree,
      PathKeys pathKeys, EpochSecrets secrets, SecretTree secretTree, byte[] interimTranscriptHash,
      PreviousEpoch previous, java.util.Map<Long, byte[]> resumptionPsks) {
    this.suite = suite;
    this.ownLeaf = ownLeaf;
    this.signaturePrivateKey = signaturePrivateKey;
    this.context = context;
    this.tree = tree;
    this.pathKeys = pathKeys;
    this.secrets = secrets;
    this.secretTree = secretTree;
    this.interimTranscriptHash = interimTranscriptHash;
    this.previous = previous;
    this.resumptionPsks.putAll(resumptionPsks);
  }

  static Group restored(CipherSuite suite, long ownLeaf, byte[] signaturePrivateKey, GroupContext context,
      RatchetTree tree, PathKeys pathKeys, EpochSecrets secrets, SecretTree secretTree, byte[] interimTranscriptHash,
      PreviousEpoch previous, java.util.Map<Long, byte[]> resumptionPsks) {
    return new Group(suite, ownLeaf, signaturePrivateKey, context, tree, pathKeys, secrets, secretTree,
        interimTranscriptHash, previous, resumptionPsks);
  }

  /** The kept resumption PSKs by epoch; {@link GroupState} reads them, nothing changes them from outside. */
  java.util.SortedMap<Long, byte[]> resumptionPsks() {
    return java.util.Collections.unmodifiableSortedMap(resumptionPsks);
  }

  /**
   * What is kept of the epoch just left: enough to decrypt and authenticate application messages of
   * that epoch, nothing that could make or accept a handshake message.
   */
  record PreviousEpoch(GroupContext context, RatchetTree tree, SecretTree secretTree, byte[] senderDataSecret) {
    void wipe() {
      secretTree.wipe();
      Zeroize.wipe(senderDataSecret);
    }

    @Override
    public String toString() {
      return "PreviousEpoch[epoch=" + context.epoch() + "]";
    }
  }

  /**
   * Moves to a new epoch. The epoch left behind keeps only its secret tree and sender-data secret, for
   * late application messages, until the next epoch change or {@link #forgetPreviousEpoch()}; every
   * other secret of it is wiped now.
   */
  void enter(GroupContext context, RatchetTree tree, PathKeys pathKeys, EpochSecrets secrets,
      byte[] interimTranscriptHash) {
    forgetPreviousEpoch();
    if (this.secretTree != null) {
      previous = new PreviousEpoch(this.context, this.tree, this.secretTree, this.secrets.senderDataSecret().clone());
    }
    if (this.secrets != null && this.secrets != secrets) {
      this.secrets.wipe();
    }
    if (this.pathKeys != null && this.pathKeys != pathKeys) {
      this.pathKeys.wipe();
    }
    this.context = context;
    this.tree = tree;
    this.pathKeys = pathKeys;
    this.secrets = secrets;
    this.secretTree = new SecretTree(suite, secrets.encryptionSecret(), tree.leafCount());
    this.interimTranscriptHash = interimTranscriptHash;
    resumptionPsks.put(context.epoch(), secrets.resumptionPsk().clone());
    while (resumptionPsks.size() > RESUMPTION_EPOCHS_KEPT) {
      Zeroize.wipe(resumptionPsks.pollFirstEntry().getValue());
    }
  }

  /** {@code external}, plus this group's own recent resumption PSKs. */
  PskStore pskStore(PskStore external) {
    return id -> {
      if (id.type() == dev.parley.crypto.mls.schedule.PreSharedKeyId.RESUMPTION) {
        if (!java.util.Arrays.equals(id.pskGroupId(), context.groupId())) {
          return java.util.Optional.empty();
        }
        return java.util.Optional.ofNullable(resumptionPsks.get(id.pskEpoch())).map(byte[]::clone);
      }
      return external.lookup(id);
    };
  }

  public CipherSuite suite() {
    return suite;
  }

  public long ownLeaf() {
    return ownLeaf;
  }

  public GroupContext context() {
    return context;
  }

  public long epoch() {
    return context.epoch();
  }

  /** The public tree; callers must not change it (use {@link RatchetTree#copy()}). */
  public RatchetTree tree() {
    return tree;
  }

  public PathKeys pathKeys() {
    return pathKeys;
  }

  public EpochSecrets secrets() {
    return secrets;
  }

  public SecretTree secretTree() {
    return secretTree;
  }

  /** The epoch just left, if its keys are still kept. */
  Optional<PreviousEpoch> previousEpoch() {
    return Optional.ofNullable(previous);
  }

  /**
   * Drops the previous epoch's keys: the application calls this once late messages are no longer
   * expected, so that a later compromise cannot read them.
   */
  public void forgetPreviousEpoch() {
    if (previous != null) {
      previous.wipe();
      previous = null;
    }
  }

  public byte[] interimTranscriptHash() {
    return interimTranscriptHash;
  }

  byte[] signaturePrivateKey() {
    return signaturePrivateKey;
  }

  /** §8.7: the value members compare out of band to check they are in the same group state. */
  public byte[] epochAuthenticator() {
    return secrets.epochAuthenticator().clone();
  }

  /** Wipes every secret this member holds for the group. */
  public void wipe() {
    forgetPreviousEpoch();
    secretTree.wipe();
    secrets.wipe();
    pathKeys.wipe();
    resumptionPsks.values().forEach(Zeroize::wipe);
    resumptionPsks.clear();
    Zeroize.wipe(signaturePrivateKey);
  }

  @Override
  public String toString() {
    return "Group[epoch=" + context.epoch() + ", leaf=" + ownLeaf + "]";
  }
}
