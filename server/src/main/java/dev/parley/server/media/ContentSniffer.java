package dev.parley.server.media;

import dev.parley.core.ChatException;
import dev.parley.core.media.MediaKind;
import dev.parley.protocol.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MediaType;
import org.apache.tika.mime.MimeTypes;
import org.apache.tika.parser.ParseContext;

/**
 * Decides what an upload is from its bytes (Apache Tika's magic detector, plus a look at the ISO-BMFF
 * brand and the Matroska doc type, which Tika's core detector does not tell apart), never from the
 * client's claim. The result must be on the allowlist of its kind; a declared type that contradicts the
 * content is refused, so a client cannot smuggle, say, HTML as an image.
 */
public final class ContentSniffer {

    /** What the content is: a canonical type and its kind. */
    public record Sniffed(String mime, MediaKind kind) {
    }

    /** The allowlist, canonical type → kind. */
    public static final Map<String, MediaKind> ALLOWED = Map.ofEntries(
            Map.entry("image/jpeg", MediaKind.IMAGE), Map.entry("image/png", MediaKind.IMAGE),
            Map.entry("image/gif", MediaKind.IMAGE), Map.entry("image/webp", MediaKind.IMAGE),
            Map.entry("video/mp4", MediaKind.VIDEO), Map.entry("video/webm", MediaKind.VIDEO),
            Map.entry("video/quicktime", MediaKind.VIDEO),
            Map.entry("audio/mpeg", MediaKind.AUDIO), Map.entry("audio/ogg", MediaKind.AUDIO),
            Map.entry("audio/wav", MediaKind.AUDIO), Map.entry("audio/webm", MediaKind.AUDIO),
            Map.entry("audio/mp4", MediaKind.AUDIO),
            Map.entry("application/pdf", MediaKind.DOCUMENT), Map.entry("text/plain", MediaKind.DOCUMENT));

    /** Tika's names (and common client spellings) for the canonical types above. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("image/jpg", "image/jpeg"), Map.entry("image/pjpeg", "image/jpeg"),
            Map.entry("image/x-png", "image/png"),
            Map.entry("audio/vnd.wave", "audio/wav"), Map.entry("audio/x-wav", "audio/wav"),
            Map.entry("audio/wave", "audio/wav"), Map.entry("audio/vorbis", "audio/ogg"),
            Map.entry("audio/opus", "audio/ogg"), Map.entry("audio/x-oggflac", "audio/ogg"),
            Map.entry("audio/speex", "audio/ogg"), Map.entry("application/ogg", "audio/ogg"),
            Map.entry("audio/mp3", "audio/mpeg"), Map.entry("audio/x-mpeg", "audio/mpeg"),
            Map.entry("audio/x-m4a", "audio/mp4"), Map.entry("audio/m4a", "audio/mp4"),
            Map.entry("video/x-m4v", "video/mp4"), Map.entry("video/x-quicktime", "video/quicktime"),
            Map.entry("application/x-pdf", "application/pdf"));

    /** Declared types that say nothing about the content. */
    private static final Set<String> GENERIC = Set.of("", "application/octet-stream", "binary/octet-stream",
            "application/unknown", "application/x-www-form-urlencoded", "multipart/form-data");

    /** Containers that hold audio-only or video streams alike: the declaration may pick the kind. */
    private static final Set<String> AV_CONTAINERS = Set.of("webm", "mp4", "ogg");

    private final MimeTypes tika = MimeTypes.getDefaultMimeTypes();

    /**
     * Sniffs a file and checks it against the allowlist and the client's declared type.
     *
     * @param declared the client's Content-Type (or multipart part type); null or generic = no claim
     * @throws ChatException {@code unsupported_media} when the type is not allowed or contradicts the claim
     */
    public Sniffed sniff(Path file, String declared) {
        String detected = detect(file);
        String sniffed = canonical(detected);
        String claim = declared == null ? "" : canonical(declared);
        if (!ALLOWED.containsKey(sniffed)) {
            throw new ChatException(ErrorCode.UNSUPPORTED_MEDIA, "files of type " + detected
                    + " are not accepted (images: jpeg, png, gif, webp; video: mp4, webm, quicktime; audio: mpeg, "
                    + "ogg, wav, webm, mp4; documents: pdf, plain text)");
        }
        String mime = sniffed;
        if (!GENERIC.contains(claim) && !claim.equals(sniffed)) {
            mime = reconcile(claim, sniffed);
        }
        return new Sniffed(mime, ALLOWED.get(mime));
    }

    private static String reconcile(String claim, String sniffed) {
        String claimSub = claim.substring(claim.indexOf('/') + 1);
        String sniffedSub = sniffed.substring(sniffed.indexOf('/') + 1);
        boolean av = (claim.startsWith("audio/") || claim.startsWith("video/"))
                && (sniffed.startsWith("audio/") || sniffed.startsWith("video/"));
        if (av && claimSub.equals(sniffedSub) && AV_CONTAINERS.contains(sniffedSub) && ALLOWED.containsKey(claim)) {
            return claim; // e.g. an audio-only WebM declared audio/webm
        }
        if (sniffed.equals("text/plain") && claim.startsWith("text/") && !claim.equals("text/html")
                && !claim.contains("xml") && !claim.contains("javascript")) {
            return sniffed; // text/markdown, text/csv … are stored and served as plain text
        }
        throw new ChatException(ErrorCode.UNSUPPORTED_MEDIA, "the file was declared " + claim
                + " but its content is " + sniffed);
    }

    /** The canonical name of a content type: lower case, no parameters, aliases resolved. */
    public static String canonical(String type) {
        String t = type.toLowerCase(Locale.ROOT);
        int semi = t.indexOf(';');
        if (semi >= 0) {
            t = t.substring(0, semi);
        }
        t = t.strip();
        return ALIASES.getOrDefault(t, t);
    }

    private String detect(Path file) {
        try {
            String container = containerType(file);
            if (container != null) {
                return container;
            }
            try (TikaInputStream in = TikaInputStream.get(file)) {
                MediaType type = tika.detect(in, new Metadata(), new ParseContext());
                return type.getBaseType().toString();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read upload", e);
        }
    }

    /**
     * ISO-BMFF files (MP4, M4A, QuickTime) by their major brand, and WebM by its EBML doc type: Tika's core
     * magic calls every ISO-BMFF file QuickTime and every WebM Matroska.
     */
    private static String containerType(Path file) throws IOException {
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 12 && head[4] == 'f' && head[5] == 't' && head[6] == 'y' && head[7] == 'p') {
            String brand = new String(head, 8, 4, StandardCharsets.ISO_8859_1);
            if (brand.equals("qt  ")) {
                return "video/quicktime";
            }
            if (brand.startsWith("M4A") || brand.startsWith("M4B") || brand.startsWith("M4P")) {
                return "audio/mp4";
            }
            if (brand.startsWith("heic") || brand.startsWith("heix") || brand.startsWith("mif1")
                    || brand.startsWith("avif") || brand.startsWith("msf1")) {
                return "image/" + (brand.startsWith("avif") ? "avif" : "heic");
            }
            return "video/mp4";
        }
        if (n >= 4 && (head[0] & 0xff) == 0x1A && (head[1] & 0xff) == 0x45 && (head[2] & 0xff) == 0xDF
                && (head[3] & 0xff) == 0xA3) {
            String text = new String(head, 0, n, StandardCharsets.ISO_8859_1);
            if (text.contains("webm")) {
                return "video/webm";
            }
            return "video/x-matroska";
        }
        return null;
    }
}
