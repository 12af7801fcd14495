package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.message.GroupContext;
import dev.parley.crypto.mls.schedule.EpochSecrets;
import dev.parley.crypto.mls.tree.PathKeys;
import dev.parley.crypto.mls.tree.RatchetTree;

/**
 * The epoch our own Commit leads to, held until the Delivery Service has ordered that Commit: Parley's
 * server refuses a Commit built on a stale epoch ({@code conflict}), and then the group must stay where
 * it was and apply the winning Commit instead. Exactly one of {@link #merge()} or {@link #discard()} is
 * called. Secret: {@link #toString()} shows only the epochs.
 */
public final class PendingCommit {
  private final Group group;
  private final long fromEpoch;
  private final GroupContext next;
  private final RatchetTree tree;
  private final PathKeys keys;
  private final EpochSecrets secrets;
  private final byte[] interimTranscriptHash;
  private boolean done;

  PendingCommit(Group group, GroupContext next, RatchetTree tree, PathKeys keys, EpochSecrets secrets,
      byte[] interimTranscriptHash) {
    this.group = group;
    this.fromEpoch = group.epoch();
    this.next = next;
    this.tree = tree;
    this.keys = keys;
    this.secrets = secrets;
    this.interimTranscriptHash = interimTranscriptHash;
  }

  /** Moves the group into the new epoch: the server accepted our Commit. */
  public void merge() {
    if (done) {
      throw new MlsException("pending commit already merged or discarded");
    }
    if (group.epoch() != fromEpoch) {
      throw new MlsException("the group left epoch " + fromEpoch + " by another Commit");
    }
    done = true;
    group.enter(next, tree, keys, secrets, interimTranscriptHash);
  }

  /**
   * The group as it will be once this Commit is merged, as an independent copy (the group itself does not
   * change). A client saves it before sending the Commit: if it crashes after the Delivery Service stored
   * the Commit but before it merged, it resumes from this copy when the Commit appears in the log.
   */
  public Group merged() {
    if (done) {
      throw new MlsException("pending commit already merged or discarded");
    }
    byte[] saved = GroupState.encode(group);
    Group copy = GroupState.decode(saved);
    dev.parley.crypto.mls.suite.Zeroize.wipe(saved);
    copy.enter(next, tree.copy(), keys.copy(), secrets.copy(), interimTranscriptHash.clone());
    return copy;
  }

  /** Forgets the new epoch's secrets: another Commit won. */
  public void discard() {
    if (!done) {
      done = true;
      keys.wipe();
      secrets.wipe();
    }
  }

  @Override
  public String toString() {
    return "PendingCommit[" + fromEpoch + " -> " + next.epoch() + (done ? ", done" : "") + "]";
  }
}
