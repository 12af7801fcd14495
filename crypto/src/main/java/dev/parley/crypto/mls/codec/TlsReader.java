package dev.parley.crypto.mls.codec;

import dev.parley.crypto.mls.MlsDecodeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the TLS presentation language as MLS uses it (RFC 9420 §2.1): fixed-width unsigned integers,
 * and variable-length vectors whose length is a minimal MLS varint. Every length is checked against the
 * bytes that remain before anything is allocated, so no input can make it allocate more than its own
 * size, and every failure is an {@link MlsDecodeException}.
 */
public final class TlsReader {
  /** RFC 9420 §2.1.2: the largest length a varint can express (30 bits). */
  public static final int MAX_VARINT = (1 << 30) - 1;

  private final byte[] data;
  private int pos;
  private final int end;

  private TlsReader(byte[] data, int from, int end) {
    this.data = data;
    this.pos = from;
    this.end = end;
  }

  /** A reader over all of {@code data}; the array is not copied and must not change while read. */
  public static TlsReader of(byte[] data) {
    return new TlsReader(data, 0, data.length);
  }

  public int remaining() {
    return end - pos;
  }

  public boolean hasRemaining() {
    return pos < end;
  }

  /** Fails unless every byte has been read: MLS structures never carry trailing bytes. */
  public void finish() {
    if (pos != end) {
      throw new MlsDecodeException("trailing bytes: " + (end - pos));
    }
  }

  private void need(long n) {
    if (n < 0 || n > end - pos) {
      throw new MlsDecodeException("truncated input: need " + n + " bytes, " + (end - pos) + " left");
    }
  }

  public int uint8() {
    need(1);
    return data[pos++] & 0xff;
  }

  public int uint16() {
    need(2);
    int v = ((data[pos] & 0xff) << 8) | (data[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  /** An unsigned 32-bit value, returned in a long so that it is never negative. */
  public long uint32() {
    need(4);
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (data[pos++] & 0xff);
    }
    return v;
  }

  /** A 64-bit value; callers treat it as unsigned ({@link Long#compareUnsigned}). */
  public long uint64() {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (data[pos++] & 0xff);
    }
    return v;
  }

  /**
   * An MLS variable-length integer (RFC 9420 §2.1.2): the top two bits of the first byte give its size
   * (1, 2 or 4 bytes); {@code 0b11} is reserved, and a value encoded longer than needed is refused.
   */
  public int varint() {
    need(1);
    int first = data[pos] & 0xff;
    int prefix = first >>> 6;
    int length = switch (prefix) {
      case 0 -> 1;
      case 1 -> 2;
      case 2 -> 4;
      default -> throw new MlsDecodeException("varint with reserved prefix 0b11");
    };
    need(length);
    int v = first & 0x3f;
    for (int i = 1; i < length; i++) {
      v = (v << 8) | (data[pos + i] & 0xff);
    }
    int min = length == 1 ? 0 : length == 2 ? 64 : 16384;
    if (v < min) {
      throw new MlsDecodeException("varint not minimally encoded");
    }
    pos += length;
    return v;
  }

  /** {@code opaque data[n]}: exactly {@code n} bytes, copied. */
  public byte[] fixed(int n) {
    need(n);
    byte[] out = Arrays.copyOfRange(data, pos, pos + n);
    pos += n;
    return out;
  }

  /** {@code opaque data<V>}: a varint length, then that many bytes, copied. */
  public byte[] opaque() {
    int n = varint();
    return fixed(n);
  }

  /**
   * {@code T items<V>}: a varint length, then a sub-reader over exactly that many bytes. The caller reads
   * items until the sub-reader is empty; its bytes are consumed from this reader at once.
   */
  public TlsReader vector() {
    int n = varint();
    need(n);
    TlsReader sub = new TlsReader(data, pos, pos + n);
    pos += n;
    return sub;
  }

  /** {@code optional<T>}'s presence byte: 0 absent, 1 present, anything else malformed. */
  public boolean present() {
    int flag = uint8();
    if (flag > 1) {
      throw new MlsDecodeException("optional presence byte " + flag);
    }
    return flag == 1;
  }

  /** The bytes from {@code from} up to the current position, for hashing exactly what was read. */
  public byte[] consumedSince(int from) {
    return Arrays.copyOfRange(data, from, pos);
  }

  /** The current position, to pair with {@link #consumedSince(int)}. */
  public int position() {
    return pos;
  }

  /** {@code T items<V>} read item by item until the vector's bytes are used up; an item may not straddle the end. */
  public <T> List<T> list(Function<TlsReader, T> item) {
    TlsReader v = vector();
    List<T> out = new ArrayList<>();
    while (v.hasRemaining()) {
      out.add(item.apply(v));
    }
    return List.copyOf(out);
  }
}
