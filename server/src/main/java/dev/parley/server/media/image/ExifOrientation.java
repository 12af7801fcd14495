package dev.parley.server.media.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the EXIF orientation (tag 0x0112) of a JPEG from its APP1 segment, without decoding anything
 * else. Re-encoding drops every EXIF tag (GPS included), so the orientation is applied to the pixels first
 * or photos taken sideways would come out sideways.
 */
final class ExifOrientation {
    private static final int MAX_HEADER = 256 * 1024;

    private ExifOrientation() {
    }

    /** The orientation 1..8 (1 = as stored), 1 when there is none or it cannot be read. */
    static int of(Path jpeg) {
        try (InputStream in = Files.newInputStream(jpeg)) {
            byte[] b = in.readNBytes(MAX_HEADER);
            return parse(b);
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    static int parse(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
            return 1;
        }
        int p = 2;
        while (p + 4 <= b.length) {
            if ((b[p] & 0xff) != 0xFF) {
                return 1;
            }
            int marker = b[p + 1] & 0xff;
            if (marker == 0xDA || marker == 0xD9) {
                return 1; // start of scan: no more metadata segments
            }
            int len = u16(b, p + 2, false);
            int body = p + 4;
            if (marker == 0xE1 && body + 6 <= b.length && b[body] == 'E' && b[body + 1] == 'x' && b[body + 2] == 'i'
                    && b[body + 3] == 'f' && b[body + 4] == 0 && b[body + 5] == 0) {
                return tiffOrientation(b, body + 6, Math.min(b.length, p + 2 + len));
            }
            p += 2 + len;
        }
        return 1;
    }

    private static int tiffOrientation(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return 1;
        }
        boolean little = b[tiff] == 'I' && b[tiff + 1] == 'I';
        int ifd = tiff + (int) u32(b, tiff + 4, little);
        if (ifd + 2 > end) {
            return 1;
        }
        int count = u16(b, ifd, little);
        for (int i = 0; i < count; i++) {
            int e = ifd + 2 + i * 12;
            if (e + 12 > end) {
                return 1;
            }
            if (u16(b, e, little) == 0x0112) {
                int v = u16(b, e + 8, little);
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 1;
    }

    private static int u16(byte[] b, int p, boolean little) {
        return little ? (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 : (b[p] & 0xff) << 8 | (b[p + 1] & 0xff);
    }

    private static long u32(byte[] b, int p, boolean little) {
        return little ? (u16(b, p, true) | (long) u16(b, p + 2, true) << 16)
                : ((long) u16(b, p, false) << 16 | u16(b, p + 2, false));
    }
}
