package dev.parley.crypto.mls.suite;

import dev.parley.crypto.mls.MlsAuthenticationException;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The cryptographic operations of MLS ciphersuite 1, {@code MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519}
 * (RFC 9420 §5.1), and the labelled constructions built on them (§5.1.2, §5.1.3, §5.2, §8). Only
 * vetted primitives are used: SHA-256, HMAC, HKDF, Ed25519 and RFC 9180 HPKE from BouncyCastle, and
 * AES-GCM from the JDK. Stateless and thread-safe; every method makes its own primitive instances.
 */
public final class CipherSuite {
  /** The one suite Parley speaks. */
  public static final CipherSuite MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519 = new CipherSuite();

  /** Hash and KDF output length ({@code KDF.Nh}). */
  public static final int NH = 32;
  /** AEAD key length ({@code AEAD.Nk}). */
  public static final int NK = 16;
  /** AEAD nonce length ({@code AEAD.Nn}). */
  public static final int NN = 12;
  /** AEAD tag length. */
  public static final int TAG = 16;

  private static final byte[] LABEL_PREFIX = "MLS 1.0 ".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private CipherSuite() {}

  /** The IANA code point of this suite. */
  public int id() {
    return 1;
  }

  public byte[] hash(byte[] data) {
    SHA256Digest d = new SHA256Digest();
    d.update(data, 0, data.length);
    byte[] out = new byte[NH];
    d.doFinal(out, 0);
    return out;
  }

  public byte[] mac(byte[] key, byte[] data) {
    HMac h = new HMac(new SHA256Digest());
    h.init(new KeyParameter(key));
    h.update(data, 0, data.length);
    byte[] out = new byte[NH];
    h.doFinal(out, 0);
    return out;
  }

  /** Checks a MAC in constant time; the expected tag is recomputed, never compared early-out. */
  public boolean verifyMac(byte[] key, byte[] data, byte[] tag) {
    return MessageDigest.isEqual(mac(key, data), tag);
  }

  /** HKDF-Extract (RFC 5869); an empty salt means {@code Nh} zero bytes. */
  public byte[] extract(byte[] salt, byte[] ikm) {
    return new HKDFBytesGenerator(new SHA256Digest()).extractPRK(salt, ikm);
  }

  /** HKDF-Expand (RFC 5869); at most 255 hash lengths, as HKDF allows. */
  public byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 0 || length > 255 * NH) {
      throw new IllegalArgumentException("HKDF output length out of range: " + length);
    }
    HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
    g.init(HKDFParameters.skipExtractParameters(prk, info));
    byte[] out = new byte[length];
    g.generateBytes(out, 0, length);
    return out;
  }

  /** §8: {@code ExpandWithLabel}, the label prefixed with "MLS 1.0 " inside a {@code KDFLabel}. */
  public byte[] expandWithLabel(byte[] secret, String label, byte[] context, int length) {
    byte[] info = TlsWriter.encode(w -> w.uint16(length).opaque(mlsLabel(label)).opaque(context));
    return expand(secret, info, length);
  }

  /** §8: {@code DeriveSecret(secret, label) = ExpandWithLabel(secret, label, "", Nh)}. */
  public byte[] deriveSecret(byte[] secret, String label) {
    return expandWithLabel(secret, label, new byte[0], NH);
  }

  /** §9: {@code DeriveTreeSecret}, the generation as a uint32 context. */
  public byte[] deriveTreeSecret(byte[] secret, String label, long generation, int length) {
    return expandWithLabel(secret, label, TlsWriter.encode(w -> w.uint32(generation)), length);
  }

  /** §5.2: {@code RefHash(label, value)}; the label is used as given (callers pass the full text). */
  public byte[] refHash(String label, byte[] value) {
    return hash(TlsWriter.encode(w -> w.opaque(label.getBytes(StandardCharsets.UTF_8)).opaque(value)));
  }

  /** §5.1.2: {@code SignWithLabel} with Ed25519 over a {@code SignContent}. */
  public byte[] signWithLabel(byte[] signaturePrivateKey, String label, byte[] content) {
    byte[] tbs = signContent(label, content);
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, new Ed25519PrivateKeyParameters(signaturePrivateKey, 0));
    signer.update(tbs, 0, tbs.length);
    return signer.generateSignature();
  }

  /** §5.1.2: {@code VerifyWithLabel}; a malformed key or signature is simply "not valid". */
  public boolean verifyWithLabel(byte[] signaturePublicKey, String label, byte[] content, byte[] signature) {
    if (signaturePublicKey.length != Ed25519PublicKeyParameters.KEY_SIZE || signature.length != 64) {
      return false;
    }
    try {
      byte[] tbs = signContent(label, content);
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, new Ed25519PublicKeyParameters(signaturePublicKey, 0));
      verifier.update(tbs, 0, tbs.length);
      return verifier.verifySignature(signature);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The Ed25519 public key of a raw 32-byte private key. */
  public byte[] signaturePublicKey(byte[] signaturePrivateKey) {
    return new Ed25519PrivateKeyParameters(signaturePrivateKey, 0).generatePublicKey().getEncoded();
  }

  /** §5.1.3: {@code EncryptWithLabel}: HPKE base mode, info = {@code EncryptContext}, empty aad. */
  public HpkeCiphertext encryptWithLabel(byte[] publicKey, String label, byte[] context, byte[] plaintext) {
    HPKE hpke = hpke();
    byte[] info = encryptContext(label, context);
    try {
      HPKEContextWithEncapsulation ctx = hpke.setupBaseS(hpke.deserializePublicKey(publicKey), info);
      byte[] ct = ctx.seal(new byte[0], plaintext);
      return new HpkeCiphertext(ctx.getEncapsulation(), ct);
    } catch (RuntimeException | org.bouncycastle.crypto.InvalidCipherTextException e) {
      throw new MlsAuthenticationException("HPKE encryption failed");
    }
  }

  /** §5.1.3: {@code DecryptWithLabel}; any failure (bad point, bad tag) is one typed error. */
  public byte[] decryptWithLabel(byte[] privateKey, String label, byte[] context, HpkeCiphertext ct) {
    HPKE hpke = hpke();
    byte[] info = encryptContext(label, context);
    try {
      AsymmetricCipherKeyPair kp = hpke.deserializePrivateKey(privateKey, hpkePublicKey(privateKey));
      HPKEContext ctx = hpke.setupBaseR(ct.kemOutput(), kp, info);
      return ctx.open(new byte[0], ct.ciphertext());
    } catch (RuntimeException | org.bouncycastle.crypto.InvalidCipherTextException e) {
      throw new MlsAuthenticationException("HPKE decryption failed");
    }
  }

  /** The X25519 public key of a raw HPKE private key. */
  public byte[] hpkePublicKey(byte[] privateKey) {
    if (privateKey.length != X25519PrivateKeyParameters.KEY_SIZE) {
      throw new MlsAuthenticationException("HPKE private key has the wrong length");
    }
    return new X25519PrivateKeyParameters(privateKey, 0).generatePublicKey().getEncoded();
  }

  /** RFC 9180 {@code DeriveKeyPair} for DHKEM(X25519): returns {private, public}, raw. */
  public byte[][] deriveKeyPair(byte[] ikm) {
    HPKE hpke = hpke();
    AsymmetricCipherKeyPair kp = hpke.deriveKeyPair(ikm);
    return new byte[][] {hpke.serializePrivateKey(kp.getPrivate()), hpke.serializePublicKey(kp.getPublic())};
  }

  /** AES-128-GCM seal; the 16-byte tag is appended. */
  public byte[] aeadSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG * 8, nonce));
      c.updateAAD(aad);
      return c.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** AES-128-GCM open; the JDK checks the tag in constant time. A bad tag is an authentication error. */
  public byte[] aeadOpen(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext) {
    if (ciphertext.length < TAG) {
      throw new MlsAuthenticationException("AEAD ciphertext shorter than its tag");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG * 8, nonce));
      c.updateAAD(aad);
      return c.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new MlsAuthenticationException("AEAD tag did not verify");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** Fresh random bytes from the platform's strong source (reuse guards, path secrets, nonces). */
  public byte[] random(int n) {
    byte[] out = new byte[n];
    RANDOM.nextBytes(out);
    return out;
  }

  private static HPKE hpke() {
    return new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM128);
  }

  private static byte[] mlsLabel(String label) {
    byte[] l = label.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[LABEL_PREFIX.length + l.length];
    System.arraycopy(LABEL_PREFIX, 0, out, 0, LABEL_PREFIX.length);
    System.arraycopy(l, 0, out, LABEL_PREFIX.length, l.length);
    return out;
  }

  private static byte[] signContent(String label, byte[] content) {
    return TlsWriter.encode(w -> w.opaque(mlsLabel(label)).opaque(content));
  }

  private static byte[] encryptContext(String label, byte[] context) {
    return TlsWriter.encode(w -> w.opaque(mlsLabel(label)).opaque(context));
  }
}
