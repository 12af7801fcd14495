package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import dev.parley.crypto.mls.schedule.PreSharedKeyId;
import java.util.List;

/**
 * RFC 9420 §12.1 {@code Proposal}: a request to change the group, carried by reference or inline in a
 * Commit. Each variant reads and writes its own body; {@link #read} and {@link #write} add the type.
 * Types outside the RFC's seven cannot be skipped (no length), so they are refused.
 */
public sealed interface Proposal extends Content {
  int ADD = 1;
  int UPDATE = 2;
  int REMOVE = 3;
  int PSK = 4;
  int REINIT = 5;
  int EXTERNAL_INIT = 6;
  int GROUP_CONTEXT_EXTENSIONS = 7;

  int proposalType();

  void writeBody(TlsWriter w);

  @Override
  default int contentType() {
    return Content.PROPOSAL;
  }

  @Override
  default void write(TlsWriter w) {
    w.uint16(proposalType());
    writeBody(w);
  }

  static Proposal read(TlsReader r) {
    int type = r.uint16();
    return switch (type) {
      case ADD -> Add.read(r);
      case UPDATE -> Update.read(r);
      case REMOVE -> Remove.read(r);
      case PSK -> PreSharedKey.read(r);
      case REINIT -> ReInit.read(r);
      case EXTERNAL_INIT -> ExternalInit.read(r);
      case GROUP_CONTEXT_EXTENSIONS -> GroupContextExtensions.read(r);
      default -> throw new MlsDecodeException("unsupported proposal type " + type);
    };
  }

  /** §12.1.1: add the client of a KeyPackage. */
  record Add(KeyPackage keyPackage) implements Proposal {
    public static Add read(TlsReader r) {
      return new Add(KeyPackage.read(r));
    }

    public int proposalType() {
      return ADD;
    }

    public void writeBody(TlsWriter w) {
      keyPackage.write(w);
    }
  }

  /** §12.1.2: the sender replaces its own leaf. */
  record Update(LeafNode leafNode) implements Proposal {
    public static Update read(TlsReader r) {
      return new Update(LeafNode.read(r));
    }

    public int proposalType() {
      return UPDATE;
    }

    public void writeBody(TlsWriter w) {
      leafNode.write(w);
    }
  }

  /** §12.1.3: remove the member at a leaf index (unsigned 32-bit). */
  record Remove(long removed) implements Proposal {
    public static Remove read(TlsReader r) {
      return new Remove(r.uint32());
    }

    public int proposalType() {
      return REMOVE;
    }

    public void writeBody(TlsWriter w) {
      w.uint32(removed);
    }
  }

  /** §12.1.4: mix a pre-shared key into the next epoch. */
  record PreSharedKey(PreSharedKeyId psk) implements Proposal {
    public static PreSharedKey read(TlsReader r) {
      return new PreSharedKey(PreSharedKeyId.read(r));
    }

    public int proposalType() {
      return PSK;
    }

    public void writeBody(TlsWriter w) {
      psk.write(w);
    }
  }

  /** §12.1.5: restart the group with new parameters. */
  record ReInit(byte[] groupId, int version, int cipherSuite, List<Extension> extensions) implements Proposal {
    public static ReInit read(TlsReader r) {
      return new ReInit(r.opaque(), r.uint16(), r.uint16(), Extension.readList(r));
    }

    public int proposalType() {
      return REINIT;
    }

    public void writeBody(TlsWriter w) {
      w.opaque(groupId).uint16(version).uint16(cipherSuite);
      Extension.writeList(w, extensions);
    }
  }

  /** §12.1.6: the KEM output of an external joiner. */
  record ExternalInit(byte[] kemOutput) implements Proposal {
    public static ExternalInit read(TlsReader r) {
      return new ExternalInit(r.opaque());
    }

    public int proposalType() {
      return EXTERNAL_INIT;
    }

    public void writeBody(TlsWriter w) {
      w.opaque(kemOutput);
    }
  }

  /** §12.1.7: replace the group context's extensions. */
  record GroupContextExtensions(List<Extension> extensions) implements Proposal {
    public static GroupContextExtensions read(TlsReader r) {
      return new GroupContextExtensions(Extension.readList(r));
    }

    public int proposalType() {
      return GROUP_CONTEXT_EXTENSIONS;
    }

    public void writeBody(TlsWriter w) {
      Extension.writeList(w, extensions);
    }
  }
}
