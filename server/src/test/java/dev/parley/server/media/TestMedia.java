package dev.parley.server.media;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/** Real media files made in the tests: nothing is checked in. */
public final class TestMedia {
    /** A marker we put in GPS and text metadata, to prove it is gone after processing. */
    public static final String SECRET_PLACE = "SecretPlace-48.8584N";

    private TestMedia() {
    }

    public static BufferedImage picture(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, Color.ORANGE, w, h, Color.BLUE));
        g.fillRect(0, 0, w, h);
        g.setColor(Color.RED);
        g.fillRect(0, 0, w / 4, h / 8); // a red block in the top-left corner, to check orientation
        g.dispose();
        return img;
    }

    /** A JPEG with an EXIF APP1 segment: orientation and a GPS IFD (latitude 48°51'30" N, a text marker). */
    public static byte[] jpegWithGps(int w, int h, int orientation) {
        byte[] plain = encode(picture(w, h), "jpeg");
        byte[] exif = exifSegment(orientation);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(plain, 0, 2); // SOI
        out.writeBytes(exif);
        out.write(plain, 2, plain.length - 2);
        return out.toByteArray();
    }

    /** Whether the bytes still carry an EXIF block or the GPS marker. */
    public static boolean hasExifOrGps(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        return s.contains("Exif\0\0") || s.contains(SECRET_PLACE);
    }

    private static byte[] exifSegment(int orientation) {
        // TIFF, big-endian. IFD0: Orientation, GPSInfo pointer. GPS IFD: LatitudeRef, Latitude, ProcessingMethod.
        ByteBuffer t = ByteBuffer.allocate(512);
        t.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
        int ifd0 = 8;
        int gpsIfd = ifd0 + 2 + 2 * 12 + 4;
        t.position(ifd0);
        t.putShort((short) 2);
        t.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        t.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(gpsIfd);
        t.putInt(0);
        int entries = 3;
        int data = gpsIfd + 2 + entries * 12 + 4;
        byte[] marker = ("ASCII\0\0\0" + SECRET_PLACE).getBytes(StandardCharsets.ISO_8859_1);
        t.position(gpsIfd);
        t.putShort((short) entries);
        t.putShort((short) 1).putShort((short) 2).putInt(2).put(new byte[] {'N', 0, 0, 0});
        t.putShort((short) 2).putShort((short) 5).putInt(3).putInt(data);
        t.putShort((short) 0x1B).putShort((short) 7).putInt(marker.length).putInt(data + 24);
        t.putInt(0);
        t.position(data);
        t.putInt(48).putInt(1).putInt(51).putInt(1).putInt(30).putInt(1);
        t.put(marker);
        int tiffLength = t.position();
        ByteArrayOutputStream seg = new ByteArrayOutputStream();
        int len = 2 + 6 + tiffLength;
        seg.write(0xFF);
        seg.write(0xE1);
        seg.write(len >> 8);
        seg.write(len & 0xff);
        seg.writeBytes("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1));
        seg.write(t.array(), 0, tiffLength);
        return seg.toByteArray();
    }

    /** A PNG with a tEXt chunk holding the marker (metadata that must not survive). */
    public static byte[] pngWithText(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.drawImage(picture(w, h), 0, 0, null);
        g.setComposite(java.awt.AlphaComposite.Clear);
        g.fillRect(w - 10, h - 10, 10, 10); // some transparency
        g.dispose();
        byte[] png = encode(img, "png");
        byte[] text = ("Comment\0" + SECRET_PLACE).getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 33); // signature + IHDR
        out.writeBytes(chunk("tEXt", text));
        out.write(png, 33, png.length - 33);
        return out.toByteArray();
    }

    /** A valid PNG header claiming {@code w x h} pixels with almost no pixel data: a decompression bomb. */
    public static byte[] pngBomb(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        out.writeBytes(chunk("IHDR", ihdr.array()));
        out.writeBytes(chunk("IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    private static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        CRC32 crc = new CRC32();
        crc.update(type.getBytes(StandardCharsets.ISO_8859_1));
        crc.update(data);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    public static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BufferedImage decode(byte[] bytes) {
        try {
            return ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A one-page PDF with a line of text, with a correct cross-reference table. */
    public static byte[] pdf() {
        String stream = "BT /F1 24 Tf 72 700 Td (Hello from Parley) Tj ET";
        List<String> objects = List.of(
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                        + "/Resources << /Font << /F1 5 0 R >> >> >>",
                "<< /Length " + stream.length() + " >>\nstream\n" + stream + "\nendstream",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        StringBuilder pdf = new StringBuilder("%PDF-1.4\n");
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            offsets.add(pdf.length());
            pdf.append(i + 1).append(" 0 obj\n").append(objects.get(i)).append("\nendobj\n");
        }
        int xref = pdf.length();
        pdf.append("xref\n0 ").append(objects.size() + 1).append("\n0000000000 65535 f \n");
        for (int off : offsets) {
            pdf.append(String.format("%010d 00000 n \n", off));
        }
        pdf.append("trailer\n<< /Size ").append(objects.size() + 1).append(" /Root 1 0 R >>\nstartxref\n")
                .append(xref).append("\n%%EOF\n");
        return pdf.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A mono 16-bit WAV of a 440 Hz tone. */
    public static byte[] wav(double seconds) {
        float rate = 8000;
        int frames = (int) (seconds * rate);
        byte[] pcm = new byte[frames * 2];
        for (int i = 0; i < frames; i++) {
            short v = (short) (Math.sin(2 * Math.PI * 440 * i / rate) * 12000);
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        AudioFormat format = new AudioFormat(rate, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm), format, frames)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a program answers {@code -version}. */
    public static boolean installed(String tool, String flag) {
        try {
            Process p = new ProcessBuilder(tool, flag).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A short MP4 (H.264 test pattern) made by ffmpeg, with a GPS-like location tag in its metadata. */
    public static byte[] mp4(Path dir, double seconds) {
        Path out = dir.resolve("clip-" + System.nanoTime() + ".mp4");
        try {
            Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=duration=" + seconds + ":size=320x240:rate=15", "-pix_fmt", "yuv420p",
                    "-metadata", "location=+48.8584+002.2945/", "-metadata", "comment=" + SECRET_PLACE,
                    out.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("ffmpeg could not make a test video");
            }
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
