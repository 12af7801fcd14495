package dev.parley.crypto.mls.message;

import dev.parley.crypto.mls.codec.TlsWriter;

/** Application plaintext carried in a FramedContent. {@link #toString()} never shows it. */
public record ApplicationData(byte[] data) implements Content {
  @Override
  public int contentType() {
    return Content.APPLICATION;
  }

  @Override
  public void write(TlsWriter w) {
    w.opaque(data);
  }

  @Override
  public String toString() {
    return "ApplicationData[" + data.length + " bytes]";
  }
}
