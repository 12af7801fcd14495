package dev.parley.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What an MLS application message of an e2ee conversation carries (docs/e2ee.md, "Inside an application
 * message"): either plain UTF-8 text (version 0, what every client wrote first and still writes for text),
 * or the byte {@code 0xFF} followed by a UTF-8 JSON object {@code {"v":1,"text"?,"attachments":[...]}}.
 * {@code 0xFF} never occurs in UTF-8, so the two forms cannot be confused.
 *
 * <p>Inside the SDK the content travels as a Java string (the outbox body, the kept plaintext of our own
 * messages): text as is, the JSON form as {@link #MARK} + JSON. A text that itself begins with {@code U+FFFF}
 * (a noncharacter) has it replaced on the way in and out, so it can never pose as the JSON form.
 */
final class E2eeContent {
    /** Marks the JSON form in the SDK's string representation. */
    static final char MARK = '\uFFFF';
    private static final byte MARK_BYTE = (byte) 0xFF;
    static final int VERSION = 1;
    /** Refuse absurd payloads before parsing: the server's body limit bounds them anyway. */
    private static final int MAX_ATTACHMENTS = 32;

    /**
     * One encrypted file: the medium holding its AES-256-GCM ciphertext (with the 16-byte tag at the end),
     * the key and 96-bit nonce (standard base64), and the plaintext's SHA-256 (lowercase hex) and size.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SealedFile(String mediaId, String key, String nonce, String sha256, long size, String mime, String name,
                      Integer width, Integer height, SealedFile thumbnail) {
    }

    /** A decoded message: its text (may be null for a file without caption) and its files. */
    record Content(String text, List<SealedFile> files) {
        Content {
            files = files == null ? List.of() : List.copyOf(files);
        }

        List<String> fileIds() {
            return files.stream().map(SealedFile::mediaId).toList();
        }
    }

    private E2eeContent() {
    }

    /** The string form of a message with attachments. */
    static String encode(String text, List<SealedFile> files) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("v", VERSION);
        if (text != null && !text.isEmpty()) {
            o.put("text", text);
        }
        o.set("attachments", Json.mapper().valueToTree(files));
        return MARK + o.toString();
    }

    /** The application data for a content string. */
    static byte[] toBytes(String content) {
        if (content.isEmpty() || content.charAt(0) != MARK) {
            return content.getBytes(StandardCharsets.UTF_8);
        }
        byte[] json = content.substring(1).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[json.length + 1];
        out[0] = MARK_BYTE;
        System.arraycopy(json, 0, out, 1, json.length);
        return out;
    }

    /** The content string of received application data. */
    static String fromBytes(byte[] data) {
        if (data.length > 0 && data[0] == MARK_BYTE) {
            return MARK + new String(Arrays.copyOfRange(data, 1, data.length), StandardCharsets.UTF_8);
        }
        return plain(new String(data, StandardCharsets.UTF_8));
    }

    /** A text as typed: a leading U+FFFF would pose as the JSON form, so it becomes U+FFFD. */
    static String plain(String text) {
        return text != null && !text.isEmpty() && text.charAt(0) == MARK ? '\uFFFD' + text.substring(1) : text;
    }

    /**
     * Decodes a content string.
     *
     * @throws IllegalArgumentException for a JSON form that is malformed, of an unknown version, or whose
     *                                  files lack what is needed to fetch and check them
     */
    static Content decode(String content) {
        if (content == null || content.isEmpty() || content.charAt(0) != MARK) {
            return new Content(content, List.of());
        }
        JsonNode o;
        try {
            o = Json.mapper().readTree(content.substring(1));
        } catch (Exception e) {
            throw new IllegalArgumentException("malformed e2ee content", e);
        }
        if (o == null || !o.isObject() || o.path("v").asInt(-1) != VERSION) {
            throw new IllegalArgumentException("unknown e2ee content version");
        }
        JsonNode att = o.path("attachments");
        if (!att.isArray() || att.size() > MAX_ATTACHMENTS) {
            throw new IllegalArgumentException("e2ee content without a valid attachment list");
        }
        List<SealedFile> files = new ArrayList<>();
        for (JsonNode a : att) {
            SealedFile f = file(a);
            if (a.hasNonNull("thumbnail")) {
                SealedFile t = file(a.get("thumbnail"));
                f = new SealedFile(f.mediaId(), f.key(), f.nonce(), f.sha256(), f.size(), f.mime(), f.name(),
                        f.width(), f.height(), new SealedFile(t.mediaId(), t.key(), t.nonce(), t.sha256(), t.size(),
                        t.mime(), null, t.width(), t.height(), null));
            }
            files.add(f);
        }
        String text = o.hasNonNull("text") ? o.get("text").asText() : null;
        return new Content(text, files);
    }

    private static SealedFile file(JsonNode a) {
        String mediaId = a.path("mediaId").asText(null);
        String sha = a.path("sha256").asText("");
        if (mediaId == null || mediaId.isEmpty() || !sha.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("an e2ee attachment without mediaId or sha256");
        }
        byte[] key = E2eeFiles.b64(a.path("key").asText(""));
        byte[] nonce = E2eeFiles.b64(a.path("nonce").asText(""));
        if (key.length != E2eeFiles.KEY_BYTES || nonce.length != E2eeFiles.NONCE_BYTES) {
            throw new IllegalArgumentException("an e2ee attachment with a bad key or nonce");
        }
        return new SealedFile(mediaId, a.get("key").asText(), a.get("nonce").asText(), sha, a.path("size").asLong(-1),
                a.path("mime").asText("application/octet-stream"), a.hasNonNull("name") ? a.get("name").asText() : null,
                a.hasNonNull("width") ? a.get("width").asInt() : null, a.hasNonNull("height") ? a.get("height").asInt() : null,
                null);
    }

    /** What to show of a content string: its text (the caption, for the JSON form). */
    static String shown(String content) {
        if (content == null || content.isEmpty() || content.charAt(0) != MARK) {
            return content;
        }
        try {
            return decode(content).text();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
