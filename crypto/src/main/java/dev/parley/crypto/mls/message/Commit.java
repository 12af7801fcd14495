package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.MlsDecodeException;
import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.util.List;
import java.util.Optional;

/** RFC 9420 §12.4 {@code Commit}: the proposals it applies (inline or by reference) and an optional path. */
public record Commit(List<ProposalOrRef> proposals, Optional<UpdatePath> path) implements Content {
  /** {@code ProposalOrRef}: exactly one of an inline proposal or a {@code ProposalRef}. */
  public record ProposalOrRef(Proposal proposal, byte[] reference) {
    public static ProposalOrRef inline(Proposal p) {
      return new ProposalOrRef(p, null);
    }

    public static ProposalOrRef byReference(byte[] ref) {
      return new ProposalOrRef(null, ref);
    }

    public static ProposalOrRef read(TlsReader r) {
      int type = r.uint8();
      return switch (type) {
        case 1 -> inline(Proposal.read(r));
        case 2 -> byReference(r.opaque());
        default -> throw new MlsDecodeException("unknown ProposalOrRef type " + type);
      };
    }

    public void write(TlsWriter w) {
      if (proposal != null) {
        w.uint8(1);
        proposal.write(w);
      } else {
        w.uint8(2).opaque(reference);
      }
    }
  }

  public static Commit read(TlsReader r) {
    List<ProposalOrRef> proposals = r.list(ProposalOrRef::read);
    Optional<UpdatePath> path = r.present() ? Optional.of(UpdatePath.read(r)) : Optional.empty();
    return new Commit(proposals, path);
  }

  @Override
  public int contentType() {
    return Content.COMMIT;
  }

  @Override
  public void write(TlsWriter w) {
    w.list(proposals, (v, p) -> p.write(v));
    w.optional(path.isPresent(), v -> path.get().write(v));
  }
}
