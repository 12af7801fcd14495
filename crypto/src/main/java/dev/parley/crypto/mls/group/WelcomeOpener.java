package dev.parley.crypto.mls.group;

import dev.parley.crypto.mls.MlsAuthenticationException;
import dev.parley.crypto.mls.MlsException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.message.GroupInfo;
import dev.parley.crypto.mls.message.GroupSecrets;
import dev.parley.crypto.mls.message.KeyPackage;
import dev.parley.crypto.mls.message.KeyPackageRef;
import dev.parley.crypto.mls.message.Welcome;
import dev.parley.crypto.mls.schedule.EpochSecrets;
import dev.parley.crypto.mls.schedule.KeySchedule;
import dev.parley.crypto.mls.schedule.TranscriptHashes;
import dev.parley.crypto.mls.suite.CipherSuite;
import dev.parley.crypto.mls.suite.Zeroize;
import java.security.MessageDigest;

/**
 * The cryptographic first half of joining by Welcome (RFC 9420 §12.4.3.1): find our entry, decrypt the
 * GroupSecrets with our KeyPackage's init key, decrypt the GroupInfo with the welcome secret, check the
 * GroupInfo signature and its confirmation tag. Building the group state from the result (ratchet tree
 * validation, our leaf, PSKs) is the caller's next step.
 */
public final class WelcomeOpener {
  private WelcomeOpener() {}

  /** What a valid Welcome gives the joiner. Secret: {@link #toString()} names no value. */
  public record Opened(GroupSecrets groupSecrets, GroupInfo groupInfo, EpochSecrets epochSecrets) {
    @Override
    public String toString() {
      return "WelcomeOpener.Opened[epoch=" + groupInfo.groupContext().epoch() + "]";
    }
  }

  /** As {@link #open(CipherSuite, Welcome, KeyPackage, byte[], PskStore)} for a Welcome without PSKs. */
  public static Opened open(CipherSuite suite, Welcome welcome, KeyPackage ours, byte[] initPrivateKey) {
    return open(suite, welcome, ours, initPrivateKey, id -> java.util.Optional.empty());
  }

  /**
   * Finds and decrypts our GroupSecrets, then the GroupInfo, and checks the confirmation tag; the
   * GroupInfo signature needs the ratchet tree and is checked by {@link #verifyGroupInfo}.
   *
   * @param psks where the PSKs the GroupSecrets name are found; a missing one refuses the Welcome
   */
  public static Opened open(CipherSuite suite, Welcome welcome, KeyPackage ours, byte[] initPrivateKey,
      PskStore psks) {
    if (welcome.cipherSuite() != suite.id()) {
      throw new MlsException("Welcome for another ciphersuite");
    }
    byte[] ref = KeyPackageRef.of(suite, ours);
    Welcome.EncryptedGroupSecrets entry = welcome.secrets().stream()
        .filter(s -> MessageDigest.isEqual(s.newMember(), ref)).findFirst()
        .orElseThrow(() -> new MlsException("Welcome has no entry for this KeyPackage"));
    byte[] plain = suite.decryptWithLabel(initPrivateKey, "Welcome", welcome.encryptedGroupInfo(),
        entry.encryptedGroupSecrets());
    TlsReader r = TlsReader.of(plain);
    GroupSecrets secrets = GroupSecrets.read(r);
    r.finish();
    Zeroize.wipe(plain);
    byte[] pskSecret = psks.secretFor(suite, secrets.psks());
    byte[] welcomeSecret = welcomeSecret(suite, secrets.joinerSecret(), pskSecret);
    byte[] key = suite.expandWithLabel(welcomeSecret, "key", new byte[0], CipherSuite.NK);
    byte[] nonce = suite.expandWithLabel(welcomeSecret, "nonce", new byte[0], CipherSuite.NN);
    byte[] groupInfoBytes;
    try {
      groupInfoBytes = suite.aeadOpen(key, nonce, new byte[0], welcome.encryptedGroupInfo());
    } finally {
      Zeroize.wipe(welcomeSecret, key, nonce);
    }
    TlsReader gr = TlsReader.of(groupInfoBytes);
    GroupInfo info = GroupInfo.read(gr);
    gr.finish();
    if (info.groupContext().cipherSuite() != suite.id()) {
      throw new MlsException("GroupInfo for another ciphersuite");
    }
    EpochSecrets epoch = KeySchedule.fromJoiner(suite, secrets.joinerSecret(), pskSecret,
        info.groupContext().encode());
    Zeroize.wipe(pskSecret);
    if (!TranscriptHashes.verifyConfirmationTag(suite, epoch.confirmationKey(),
        info.groupContext().confirmedTranscriptHash(), info.confirmationTag())) {
      epoch.wipe();
      throw new MlsAuthenticationException("GroupInfo confirmation tag did not verify");
    }
    return new Opened(secrets, info, epoch);
  }

  /** §12.4.3: checks the GroupInfo signature with the signer's key (taken from the ratchet tree). */
  public static void verifyGroupInfo(CipherSuite suite, GroupInfo info, byte[] signerPublicKey) {
    if (!suite.verifyWithLabel(signerPublicKey, "GroupInfoTBS", info.toBeSigned(), info.signature())) {
      throw new MlsAuthenticationException("GroupInfo signature did not verify");
    }
  }

  /** §8: {@code welcome_secret = DeriveSecret(Extract(joiner_secret, psk_secret), "welcome")}. */
  private static byte[] welcomeSecret(CipherSuite suite, byte[] joinerSecret, byte[] pskSecret) {
    byte[] member = suite.extract(joinerSecret, pskSecret);
    try {
      return suite.deriveSecret(member, "welcome");
    } finally {
      Zeroize.wipe(member);
    }
  }
}
