package dev.parley.crypto.mls.codec;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Writes the TLS presentation language as MLS uses it (RFC 9420 §2.1); vector lengths are MLS varints
 * in their shortest form, which makes every encoding canonical.
 */
public final class TlsWriter {
  private byte[] buf = new byte[64];
  private int len;

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }

  public TlsWriter uint8(int v) {
    if (v < 0 || v > 0xff) {
      throw new IllegalArgumentException("uint8 out of range");
    }
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  public TlsWriter uint16(int v) {
    if (v < 0 || v > 0xffff) {
      throw new IllegalArgumentException("uint16 out of range");
    }
    ensure(2);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  public TlsWriter uint32(long v) {
    if (v < 0 || v > 0xffffffffL) {
      throw new IllegalArgumentException("uint32 out of range");
    }
    ensure(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      buf[len++] = (byte) (v >>> shift);
    }
    return this;
  }

  public TlsWriter uint64(long v) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buf[len++] = (byte) (v >>> shift);
    }
    return this;
  }

  /** An MLS varint (RFC 9420 §2.1.2) in its shortest form; values above 2^30-1 cannot be encoded. */
  public TlsWriter varint(int v) {
    if (v < 0 || v > TlsReader.MAX_VARINT) {
      throw new IllegalArgumentException("varint out of range");
    }
    if (v < 64) {
      return uint8(v);
    }
    if (v < 16384) {
      return uint16(0x4000 | v);
    }
    return uint32(0x80000000L | v);
  }

  /** {@code opaque data[n]}: the bytes, no length. */
  public TlsWriter fixed(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
    return this;
  }

  /** {@code opaque data<V>}: varint length, then the bytes. */
  public TlsWriter opaque(byte[] bytes) {
    varint(bytes.length);
    return fixed(bytes);
  }

  /** {@code T items<V>}: whatever {@code body} writes, prefixed by its varint length. */
  public TlsWriter vector(Consumer<TlsWriter> body) {
    TlsWriter inner = new TlsWriter();
    body.accept(inner);
    return opaque(inner.toByteArray());
  }

  /** {@code optional<T>}: presence byte, then the value when present. */
  public TlsWriter optional(boolean present, Consumer<TlsWriter> body) {
    uint8(present ? 1 : 0);
    if (present) {
      body.accept(this);
    }
    return this;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  /** Shorthand for encoding one value: {@code TlsWriter.encode(w -> w.uint16(1))}. */
  public static byte[] encode(Consumer<TlsWriter> body) {
    TlsWriter w = new TlsWriter();
    body.accept(w);
    return w.toByteArray();
  }

  /** {@code T items<V>}: each item written by {@code item}, the whole prefixed by its varint length. */
  public <T> TlsWriter list(List<T> items, BiConsumer<TlsWriter, T> item) {
    return vector(v -> items.forEach(i -> item.accept(v, i)));
  }
}
