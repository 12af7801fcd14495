package dev.parley.server.media.image;

import dev.parley.core.ChatException;
import dev.parley.protocol.ErrorCode;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import net.coobird.thumbnailator.Thumbnails;

/**
 * Makes an uploaded image safe and small: reads its dimensions from the header and refuses decompression
 * bombs before decoding a pixel, applies the EXIF orientation, re-encodes it (which drops EXIF, GPS,
 * XMP and comments), downscales it to the configured edge and makes a thumbnail. Animated GIFs are kept
 * as uploaded (re-encoding would lose the animation; GIF carries no EXIF), with a thumbnail of frame one.
 */
public final class ImageProcessor {
    private static final float JPEG_QUALITY = 0.85f;

    private final long maxPixels;
    private final int maxEdge;
    private final int thumbEdge;
    private final long gifMaxFramePixels;

    public ImageProcessor(long maxPixels, int maxEdge, int thumbEdge) {
        this(maxPixels, maxEdge, thumbEdge, 500_000_000L);
    }

    /**
     * @param gifMaxFramePixels most frames × canvas pixels an animated GIF may hold: the GIF is stored as
     *                          uploaded, and every viewer decodes every frame at the canvas size
     */
    public ImageProcessor(long maxPixels, int maxEdge, int thumbEdge, long gifMaxFramePixels) {
        this.maxPixels = maxPixels;
        this.maxEdge = maxEdge;
        this.thumbEdge = thumbEdge;
        this.gifMaxFramePixels = gifMaxFramePixels;
    }

    /** An encoded image written to a file. */
    public record Encoded(Path file, String mime, int width, int height) {
    }

    /** The processed image and its thumbnail. */
    public record Result(Encoded image, Encoded thumbnail) {
    }

    /** The dimensions from the header, without decoding. */
    public record Size(int width, int height) {
    }

    /**
     * Processes an image whose type was sniffed as {@code mime}; outputs go to {@code workDir}.
     *
     * @throws ChatException {@code too_large} for images over the pixel limit, {@code unsupported_media}
     *                       for images that cannot be decoded
     */
    public Result process(Path input, String mime, Path workDir) {
        if (mime.equals("image/gif")) {
            check(input, mime); // frames × pixels, on a stream of its own (this one reads forward only)
        }
        try (ImageInputStream iis = ImageIO.createImageInputStream(input.toFile())) {
            ImageReader reader = readerFor(iis, mime);
            try {
                reader.setInput(iis, true, true);
                Size size = new Size(reader.getWidth(0), reader.getHeight(0));
                checkPixels(size);
                int orientation = mime.equals("image/jpeg") ? ExifOrientation.of(input) : 1;
                int longEdge = Math.max(size.width(), size.height());
                ImageReadParam param = reader.getDefaultReadParam();
                int subsample = Math.max(1, longEdge / (maxEdge * 2));
                if (subsample > 1) {
                    param.setSourceSubsampling(subsample, subsample, 0, 0); // cheap first step for huge photos
                }
                BufferedImage decoded;
                try {
                    decoded = reader.read(0, param);
                } catch (IOException | RuntimeException e) {
                    throw new ChatException(ErrorCode.UNSUPPORTED_MEDIA, "the image cannot be decoded");
                }
                BufferedImage upright = orient(decoded, orientation);
                boolean alpha = upright.getColorModel().hasAlpha();
                Encoded image;
                if (mime.equals("image/gif")) {
                    image = new Encoded(input, mime, size.width(), size.height());
                } else {
                    BufferedImage scaled = fit(upright, maxEdge);
                    String outMime = mime.equals("image/png") || (mime.equals("image/webp") && alpha)
                            ? "image/png" : "image/jpeg";
                    image = write(scaled, outMime, workDir.resolve("image"));
                }
                BufferedImage thumb = fit(upright, thumbEdge);
                Encoded thumbnail = write(thumb, alpha ? "image/png" : "image/jpeg", workDir.resolve("thumbnail"));
                return new Result(image, thumbnail);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new ChatException(ErrorCode.UNSUPPORTED_MEDIA, "the image cannot be read");
        }
    }

    /** Reads the header only, refusing images over the pixel limit. */
    public Size check(Path input, String mime) {
        try (ImageInputStream iis = ImageIO.createImageInputStream(input.toFile())) {
            ImageReader reader = readerFor(iis, mime);
            try {
                reader.setInput(iis, true, true);
                Size size = new Size(reader.getWidth(0), reader.getHeight(0));
                checkPixels(size);
                if (mime.equals("image/gif")) {
                    checkFrames(reader, canvasPixels(input, size));
                }
                return size;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new ChatException(ErrorCode.UNSUPPORTED_MEDIA, "the image header cannot be read");
        }
    }

    private void checkPixels(Size size) {
        long pixels = (long) size.width() * size.height();
        if (size.width() < 1 || size.height() < 1) {
            throw new ChatException(ErrorCode.UNSUPPORTED_MEDIA, "the image has no pixels");
        }
        if (pixels > maxPixels) {
            throw new ChatException(ErrorCode.TOO_LARGE, "the image is " + size.width() + "x" + size.height()
                    + " pixels; at most " + maxPixels + " pixels are accepted");
        }
    }

    /**
     * Walks the GIF's frame headers (image descriptors; no pixel is decoded) and refuses it as soon as the
     * frames seen so far need more than the limit, so a GIF of thousands of frames is refused early.
     */
    private void checkFrames(ImageReader reader, long canvasPixels) {
        long total = 0;
        for (int i = 0; ; i++) {
            long framePixels;
            try {
                framePixels = (long) reader.getWidth(i) * reader.getHeight(i);
            } catch (IOException | RuntimeException endOrDamage) {
                return; // past the last frame (or a damaged tail, which viewers stop at too)
            }
            total += Math.max(canvasPixels, framePixels);
            if (total > gifMaxFramePixels) {
                throw new ChatException(ErrorCode.TOO_LARGE, "the animated GIF has more than " + (i + 1)
                        + " frames at its size; at most " + gifMaxFramePixels
                        + " pixels over all frames are accepted");
            }
        }
    }

    /** The GIF's logical screen (what every frame is composed onto), from bytes 6–9 of its header. */
    private static long canvasPixels(Path gif, Size firstFrame) {
        try (var in = Files.newInputStream(gif)) {
            byte[] head = in.readNBytes(10);
            if (head.length < 10) {
                return (long) firstFrame.width() * firstFrame.height();
            }
            long w = (head[6] & 0xff) | ((head[7] & 0xff) << 8);
            long h = (head[8] & 0xff) | ((head[9] & 0xff) << 8);
            return w * h;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + gif, e);
        }
    }

    private static ImageReader readerFor(ImageInputStream iis, String mime) {
        if (iis == null) {
            throw new ChatException(ErrorCode.UNSUPPORTED_MEDIA, "the image cannot be read");
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(mime);
        if (!readers.hasNext()) {
            throw new ChatException(ErrorCode.UNSUPPORTED_MEDIA, "no decoder for " + mime);
        }
        return readers.next();
    }

    /** Applies an EXIF orientation (1..8) so the pixels stand as the camera meant. */
    static BufferedImage orient(BufferedImage src, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return src;
        }
        int w = src.getWidth();
        int h = src.getHeight();
        boolean swap = orientation >= 5;
        AffineTransform t = new AffineTransform();
        switch (orientation) {
            case 2 -> { t.translate(w, 0); t.scale(-1, 1); }
            case 3 -> { t.translate(w, h); t.rotate(Math.PI); }
            case 4 -> { t.translate(0, h); t.scale(1, -1); }
            case 5 -> { t.rotate(-Math.PI / 2); t.scale(-1, 1); }
            case 6 -> { t.translate(h, 0); t.rotate(Math.PI / 2); }
            case 7 -> { t.scale(-1, 1); t.translate(-h, 0); t.translate(0, w); t.rotate(3 * Math.PI / 2); }
            case 8 -> { t.translate(0, w); t.rotate(3 * Math.PI / 2); }
            default -> { }
        }
        BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h,
                src.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(src, t, null);
        g.dispose();
        return out;
    }

    private static BufferedImage fit(BufferedImage src, int edge) {
        int w = src.getWidth();
        int h = src.getHeight();
        if (Math.max(w, h) <= edge) {
            return src;
        }
        try {
            return Thumbnails.of(src).size(edge, edge).keepAspectRatio(true).asBufferedImage();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scale image", e);
        }
    }

    private static Encoded write(BufferedImage img, String mime, Path base) throws IOException {
        Path out = base.resolveSibling(base.getFileName() + (mime.equals("image/png") ? ".png" : ".jpg"));
        BufferedImage toWrite = img;
        if (mime.equals("image/jpeg") && (img.getColorModel().hasAlpha() || img.getType() != BufferedImage.TYPE_INT_RGB
                && img.getType() != BufferedImage.TYPE_3BYTE_BGR)) {
            BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
            Graphics2D g = rgb.createGraphics();
            g.setColor(java.awt.Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.drawImage(img, 0, 0, null);
            g.dispose();
            toWrite = rgb;
        }
        ImageWriter writer = ImageIO.getImageWritersByMIMEType(mime).next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(Files.newOutputStream(out))) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (mime.equals("image/jpeg")) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(JPEG_QUALITY);
            }
            writer.write(null, new IIOImage(toWrite, null, null), param);
        } finally {
            writer.dispose();
        }
        return new Encoded(out, mime, toWrite.getWidth(), toWrite.getHeight());
    }
}
