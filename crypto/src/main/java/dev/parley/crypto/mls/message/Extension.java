package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsReader;
import dev.parley.crypto.mls.codec.TlsWriter;
import java.util.ArrayList;
import java.util.List;

/** RFC 9420 §13: {@code Extension}, a type and opaque data; lists of them appear in many structures. */
public record Extension(int type, byte[] data) {
  public static Extension read(TlsReader r) {
    return new Extension(r.uint16(), r.opaque());
  }

  public void write(TlsWriter w) {
    w.uint16(type).opaque(data);
  }

  /** {@code Extension extensions<V>}. */
  public static List<Extension> readList(TlsReader r) {
    TlsReader v = r.vector();
    List<Extension> out = new ArrayList<>();
    while (v.hasRemaining()) {
      out.add(read(v));
    }
    return List.copyOf(out);
  }

  public static void writeList(TlsWriter w, List<Extension> extensions) {
    w.vector(v -> extensions.forEach(e -> e.write(v)));
  }
}
