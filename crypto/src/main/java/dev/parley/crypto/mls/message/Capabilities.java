package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.util.List;

/** RFC 9420 §7.2 {@code Capabilities}: what a client supports, each list of uint16 code points. */
public record Capabilities(List<Integer> versions, List<Integer> cipherSuites, List<Integer> extensions,
    List<Integer> proposals, List<Integer> credentials) {
  public static Capabilities read(TlsReader r) {
    return new Capabilities(r.list(TlsReader::uint16), r.list(TlsReader::uint16), r.list(TlsReader::uint16),
        r.list(TlsReader::uint16), r.list(TlsReader::uint16));
  }

  public void write(TlsWriter w) {
    w.list(versions, TlsWriter::uint16).list(cipherSuites, TlsWriter::uint16).list(extensions, TlsWriter::uint16)
        .list(proposals, TlsWriter::uint16).list(credentials, TlsWriter::uint16);
  }
}
