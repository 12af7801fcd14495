package dev.parley.crypto.mls.framing;

import dev.parley.crypto.mls.message.Sender;
import java.util.Optional;

/**
 * Where message protection finds a sender's signature public key: for a member, the key in its leaf of
 * the current ratchet tree. Empty means "no such sender", and the message is refused.
 */
@FunctionalInterface
public interface SignatureKeys {
  Optional<byte[]> of(Sender sender);
}
