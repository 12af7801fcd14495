package dev.parley.bench.fuzz;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes HTTP requests for every route of {@code docs/protocol.md} (plus the web client's paths and a few
 * that do not exist) with random methods, ids in paths and queries, tokens (valid, another user's,
 * garbage, none), content types, extra headers and bodies that range from valid to broken, and
 * sometimes a request that is not valid HTTP at all.
 *
 * <p>Requests that make the server hash a password (a valid sign-up or sign-in) are kept rare: they are
 * expensive on purpose, and the run is about robustness, not about hashing speed.
 */
final class RequestFuzzer {
    /** One request: the route it aims at (for counting), its bytes, and how to read the answer. */
    record Request(String route, byte[] bytes, boolean head, boolean closeAfter, String summary) {
    }

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS",
            "TRACE", "FOO", "get", "PROPFIND");
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
            "multipart/form-data", "image/png", "image/jpeg", "application/pdf", "application/octet-stream",
            "video/mp4", "text/html", "application/offset+octet-stream", "\u00ff/\u00fe", "json", "");
    private static final List<String> STATIC_PATHS = List.of("/", "/index.html", "/app.js", "/favicon.ico",
            "/v1", "/v1/", "/v1/ws", "/healthz/", "/%2e%2e/%2e%2e/etc/passwd", "/../../etc/passwd",
            "/v1/conversations/../me", "/v1//me", "/V1/ME", "/v1/me/", "/v1/me?x=1", "/.git/config", "/%00",
            "/v1/media/x/content", "/v2/me", "/v1/accounts/1", "/*", "/metrics", "/v1/openapi.json", "/metrics?x=1", "/v1/mqtt");

    private final Junk j;
    private final World world;
    private final String hostHeader;
    private String lastUpload;
    private String lastMedia;

    RequestFuzzer(Junk junk, World world, String hostHeader) {
        this.j = junk;
        this.world = world;
        this.hostHeader = hostHeader;
    }

    /** Remembers a resumable upload the server created, so later requests hit a real one. */
    void uploadCreated(String location) {
        int i = location == null ? -1 : location.indexOf("/v1/uploads/");
        if (i >= 0) {
            lastUpload = location.substring(i).trim();
        }
    }

    /** Remembers a media id the server stored, so later requests ask for a real one. */
    void mediaCreated(String mediaId) {
        if (mediaId != null && !mediaId.isEmpty()) {
            lastMedia = mediaId;
        }
    }

    private String mediaId() {
        return lastMedia != null && j.chance(0.5) ? lastMedia : j.unknownId("med");
    }

    Request next() {
        int roll = j.pick(100);
        if (roll < 3) {
            return malformed();
        }
        World.User me = j.any(world.users());
        return switch (j.pick(19)) {
            case 0 -> build("GET /healthz", "GET", "/healthz", null, null, null);
            case 1 -> build("POST /v1/accounts", "POST", "/v1/accounts", null, "application/json", accountBody());
            case 2 -> build("POST /v1/sessions", "POST", "/v1/sessions", null, "application/json", sessionBody());
            case 3 -> build("DELETE /v1/sessions/current", "DELETE", "/v1/sessions/current", spareOrJunkToken(), null,
                    null);
            case 4 -> build("GET /v1/me", "GET", "/v1/me", token(me), null, null);
            case 5 -> build("GET /v1/users?handle", "GET", "/v1/users" + j.any("?handle=" + q(handleish(me)), "",
                    "?handle=", "?handle=" + q(j.unicode(10)), "?nick=x"), token(me), null, null);
            case 6 -> build("GET /v1/users/{id}", "GET", "/v1/users/" + pathId(userId(me)), token(me), null, null);
            case 7 -> build("POST /v1/conversations", "POST", "/v1/conversations", token(me), json(), conversationBody(me));
            case 8 -> build("GET /v1/conversations", "GET", "/v1/conversations" + j.any("", "?since=", "?since="
                    + q(j.any("v1.0", "v1.zz", "v1.-1", "garbage", "v1." + "z".repeat(40), j.unicode(8))), "?since=v1.1"),
                    token(me), null, null);
            case 9 -> build("GET /v1/conversations/{id}", "GET", "/v1/conversations/" + pathId(conversationId(me)),
                    token(me), null, null);
            case 10 -> build("POST /v1/conversations/{id}/members", "POST", "/v1/conversations/"
                    + pathId(groupId(me)) + "/members", token(me), json(), membersBody(me));
            case 11 -> build("DELETE /v1/conversations/{id}/members/{userId}", "DELETE", "/v1/conversations/"
                    + pathId(j.chance(0.6) ? j.any(me.scratchGroups()) : j.any(world.outsiderConversations()))
                    + "/members/" + pathId(userId(me)), token(me), null, null);
            case 12 -> build("GET /v1/conversations/{id}/messages", "GET", "/v1/conversations/"
                    + pathId(conversationId(me)) + "/messages" + historyQuery(), token(me), null, null);
            case 13 -> build("POST /v1/media", "POST", "/v1/media" + j.any("", "?filename=" + q(j.oddText()),
                    "?encrypted=1", "?filename=" + "a".repeat(300)), token(me), j.any(CONTENT_TYPES),
                    j.chance(0.5) ? j.bytes(4096) : multipart());
            case 14 -> build("GET /v1/media/{id}", "GET", "/v1/media/" + pathId(mediaId())
                    + j.any("", "?variant=thumbnail", "?variant=poster", "?download=1", "?variant=" + q(j.unicode(5))),
                    token(me), null, null);
            case 15 -> build("GET /v1/media/{id}/content", "GET", "/v1/media/" + pathId(mediaId())
                    + "/content?variant=original&dl=0&exp=" + j.any("0", "99999999999999", "-1", "x")
                    + "&kid=" + j.any("", "abc", "8116548e90b2") + "&sig=" + q(j.unicode(10)), null, null, null);
            case 16 -> tusCreate(me);
            case 17 -> tusOther(me);
            default -> build("other paths", j.any(METHODS), j.any(STATIC_PATHS), j.chance(0.5) ? token(me) : null,
                    null, null);
        };
    }

    // ---- request assembly --------------------------------------------------------------------

    private Request build(String route, String method, String target, String token, String contentType, byte[] body) {
        List<String> headers = new ArrayList<>();
        if (token != null) {
            headers.add("Authorization: " + token);
        }
        if (contentType != null && !j.chance(0.1)) {
            headers.add("Content-Type: " + (j.chance(0.1) ? j.any(CONTENT_TYPES) : contentType));
        }
        return assemble(route, nearMethod(method), target, headers, body);
    }

    private Request assemble(String route, String method, String target, List<String> headers, byte[] body) {
        if (j.chance(0.15)) {
            headers.add(j.any("Accept-Encoding: gzip", "Origin: http://evil.example", "X-Forwarded-For: 203.0.113.9",
                    "Range: bytes=0-10", "Range: bytes=-5", "Cookie: " + j.unicode(20), "Accept: */*",
                    "If-None-Match: \"x\"", "X-" + j.pick(1000) + ": " + j.oddText().replace("\r", "").replace("\n", ""),
                    "Tus-Resumable: 1.0.0", "Upload-Offset: " + j.any("0", "-1", "99999999999999999999", "x")));
        }
        boolean chunked = body != null && j.chance(0.05);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String encodedTarget = target.length() > 0 && target.charAt(0) == '/' ? target : "/" + target;
        StringBuilder head = new StringBuilder(method).append(' ').append(encodedTarget).append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader).append("\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        if (body != null) {
            head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            if (chunked) {
                int half = body.length / 2;
                out.writeBytes((Integer.toHexString(half) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, half);
                out.writeBytes(("\r\n" + Integer.toHexString(body.length - half) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, half, body.length - half);
                out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                out.writeBytes(body);
            }
        }
        String summary = method + " " + Tally.cut(encodedTarget, 200) + " " + Tally.cut(String.join(" | ", headers), 300)
                + (body == null ? "" : " body[" + body.length + "]=" + Tally.cut(new String(body, 0,
                Math.min(body.length, 400), StandardCharsets.UTF_8), 300));
        return new Request(route, out.toByteArray(), method.equals("HEAD"), false, summary);
    }

    private String nearMethod(String method) {
        return j.chance(0.8) ? method : j.any(METHODS);
    }

    /** Requests that break HTTP itself; the connection is dropped after the answer. */
    private Request malformed() {
        String host = "Host: " + hostHeader + "\r\n";
        String raw = switch (j.pick(12)) {
            case 0 -> "GARBAGE\r\n\r\n";
            case 1 -> "GET /v1/me HTTP/9.9\r\n" + host + "\r\n";
            case 2 -> "GET /v1/me HTTP/1.1\r\n" + host + "NoColonHere\r\n\r\n";
            case 3 -> "GET /v1/me HTTP/1.1\r\n" + host + "X-Big: " + "a".repeat(70_000) + "\r\n\r\n";
            case 4 -> "GET /" + "a".repeat(70_000) + " HTTP/1.1\r\n" + host + "\r\n";
            case 5 -> "POST /v1/accounts HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n";
            case 6 -> "POST /v1/accounts HTTP/1.1\r\n" + host + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}";
            case 7 -> "POST /v1/accounts HTTP/1.1\r\n" + host + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
            case 8 -> "GET /v1/me HTTP/1.1\n" + host.replace("\r", "") + "\n";
            case 9 -> "GET /v1/\u0000me HTTP/1.1\r\n" + host + "\r\n";
            case 10 -> "POST /v1/sessions HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n";
            default -> "GET /v1/me HTTP/1.1\r\n" + host + " folded: header\r\n\r\n";
        };
        return new Request("malformed", raw.getBytes(StandardCharsets.UTF_8), false, true,
                "malformed: " + Tally.cut(raw.replace("\r\n", "\\r\\n"), 300));
    }

    // ---- tokens, ids, queries ------------------------------------------------------------------

    private String token(World.User me) {
        int roll = j.pick(100);
        if (roll < 60) {
            return "Bearer " + me.token();
        } else if (roll < 70) {
            return "Bearer " + world.outsider().token();
        } else if (roll < 75) {
            return null;
        }
        return junkToken();
    }

    /** A throwaway session's token (so a revocation hits nobody the fuzzers rely on), or junk. */
    private String spareOrJunkToken() {
        String spare = j.chance(0.3) ? world.spareTokens().poll() : null;
        return spare != null ? "Bearer " + spare : junkToken();
    }

    private String junkToken() {
        return j.any("Bearer pt_" + j.unicode(43).replaceAll("[\\r\\n]", ""), "Bearer", "Bearer ", "bearer x",
                "Basic dXNlcjpwYXNz", "Bearer " + "x".repeat(101), "Bearer " + "y".repeat(10_000), "Bearer pt_",
                "Bearer  " + world.outsider().token(), "Token " + world.outsider().token(),
                "Bearer " + world.outsider().token() + "x", "Bearer \u00e9\u00e8");
    }

    private String userId(World.User me) {
        return switch (j.pick(5)) {
            case 0 -> me.userId();
            case 1 -> j.any(world.users()).userId();
            case 2 -> world.outsider().userId();
            case 3 -> j.unknownId("usr");
            default -> j.oddText();
        };
    }

    private String conversationId(World.User me) {
        return switch (j.pick(4)) {
            case 0, 1 -> j.any(me.conversations());
            case 2 -> j.any(world.outsiderConversations());
            default -> j.unknownId("cnv");
        };
    }

    private String groupId(World.User me) {
        return j.chance(0.5) ? j.any(me.scratchGroups()) : conversationId(me);
    }

    /** An id for a path segment: as is, percent-encoded junk, traversal or very long. */
    private String pathId(String id) {
        return switch (j.pick(10)) {
            case 0 -> q(j.unicode(8));
            case 1 -> "..%2F..%2Fme";
            case 2 -> "x".repeat(j.any(List.of(27, 100, 5000)));
            case 3 -> "";
            case 4 -> q(j.oddText());
            default -> q(id);
        };
    }

    private String historyQuery() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("after", "before", "limit")) {
            if (j.chance(0.4)) {
                b.append(b.isEmpty() ? '?' : '&').append(name).append('=').append(j.any(
                        Integer.toString(j.pick(100)), "-1", "0", "501", "99999999999999999999", "1.5", "x", "", "1e3"));
            }
        }
        return b.toString();
    }

    private String handleish(World.User me) {
        return j.any(me.handle(), me.handle().toUpperCase(), world.outsider().handle(), "nobody", "x", "", j.unicode(6));
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String json() {
        return "application/json";
    }

    // ---- bodies --------------------------------------------------------------------------------

    /** Mostly a valid body with damage; sometimes raw junk, nothing, or a body over the 1 MiB limit. */
    private byte[] body(ObjectNode valid, World.User me, boolean mutate) {
        int roll = j.pick(100);
        String text;
        if (roll < 2) {
            text = "{\"x\":\"" + "a".repeat(1024 * 1024) + "\"}";
        } else if (roll < 10) {
            text = switch (j.pick(5)) {
                case 0 -> "";
                case 1 -> j.jsonish(100);
                case 2 -> j.deepText();
                case 3 -> j.damage(FrameFuzzer.encode(valid));
                default -> new String(j.bytes(200), StandardCharsets.ISO_8859_1);
            };
        } else {
            if (mutate) {
                j.mutateFields(valid, world, me);
            }
            text = FrameFuzzer.encode(valid);
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] accountBody() {
        World.User me = j.any(world.users());
        ObjectNode o = F.objectNode().put("handle", "fz" + Long.toString(j.r.nextLong(1L << 40), 36))
                .put("password", World.PASSWORD);
        if (j.chance(0.3)) {
            o.put("displayName", j.chance(0.5) ? j.unicode(10) : j.longText());
        }
        if (!j.chance(0.03)) { // keep valid sign-ups (a password hash each) rare
            switch (j.pick(4)) {
                case 0 -> o.put("password", j.any("short", "", "1234567"));
                case 1 -> o.put("handle", j.any("x", "-bad", "a b", "\u00e9t\u00e9", "a".repeat(33), ""));
                case 2 -> o.set("password", j.badValue(world, me).isTextual() ? F.numberNode(1) : j.badValue(world, me));
                default -> o.put("handle", me.handle()); // taken
            }
        }
        return body(o, me, j.chance(0.4));
    }

    private byte[] sessionBody() {
        World.User me = j.any(world.users());
        ObjectNode o = F.objectNode().put("handle", handleish(me))
                .put("password", j.chance(0.02) ? World.PASSWORD : j.any("wrong password!", "", "x".repeat(300)));
        if (j.chance(0.5)) {
            o.put("deviceName", j.chance(0.5) ? j.unicode(10) : j.longText());
        }
        return body(o, me, j.chance(0.4));
    }

    private byte[] conversationBody(World.User me) {
        ArrayNode members = F.arrayNode();
        for (int i = j.pick(4); i > 0; i--) {
            members.add(userId(me));
        }
        ObjectNode o = F.objectNode().put("kind", j.any("group", "direct", "direct", "channel", ""));
        o.set("members", members);
        if (j.chance(0.5)) {
            o.put("title", j.chance(0.5) ? j.unicode(12) : j.longText());
        }
        if (j.chance(0.2)) {
            o.put("e2ee", j.r.nextBoolean());
        }
        return body(o, me, j.chance(0.6));
    }

    private byte[] membersBody(World.User me) {
        ArrayNode ids = F.arrayNode();
        for (int i = j.pick(4); i > 0; i--) {
            ids.add(userId(me));
        }
        ObjectNode o = F.objectNode();
        o.set("userIds", ids);
        return body(o, me, j.chance(0.6));
    }

    private byte[] multipart() {
        String b = "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + j.oddText()
                + "\"\r\nContent-Type: " + j.any(CONTENT_TYPES) + "\r\n\r\n" + j.jsonish(50)
                + (j.chance(0.7) ? "\r\n--xyz--\r\n" : "");
        return b.getBytes(StandardCharsets.UTF_8);
    }

    private Request tusCreate(World.User me) {
        List<String> headers = new ArrayList<>();
        String token = token(me);
        if (token != null) {
            headers.add("Authorization: " + token);
        }
        if (j.chance(0.8)) {
            headers.add("Tus-Resumable: " + j.any("1.0.0", "1.0.0", "0.2.2", "x"));
        }
        if (j.chance(0.8)) {
            headers.add("Upload-Length: " + j.any(Integer.toString(j.pick(5000)), "0", "-1", "104857601",
                    "99999999999999999999", "abc"));
        }
        if (j.chance(0.5)) {
            headers.add("Upload-Metadata: " + j.any("filename dGVhLnR4dA==,filetype dGV4dC9wbGFpbg==", "filename",
                    "filename !!!notbase64", "x " + "QUFB".repeat(2000), ","));
        }
        if (j.chance(0.1)) {
            headers.add("Upload-Defer-Length: 1");
        }
        String method = j.chance(0.85) ? "POST" : "OPTIONS";
        return assemble("tus " + method + " /v1/uploads", method, "/v1/uploads", headers, null);
    }

    private Request tusOther(World.User me) {
        List<String> headers = new ArrayList<>();
        String token = token(me);
        if (token != null) {
            headers.add("Authorization: " + token);
        }
        headers.add("Tus-Resumable: 1.0.0");
        String method = j.any("HEAD", "PATCH", "PATCH", "GET", "DELETE");
        String target = lastUpload != null && j.chance(0.7) ? lastUpload : "/v1/uploads/" + pathId(j.unknownId("upl"));
        byte[] body = null;
        if (method.equals("PATCH")) {
            headers.add("Upload-Offset: " + j.any("0", "0", "1", "-1", "5000", "x"));
            headers.add("Content-Type: " + j.any("application/offset+octet-stream", "application/offset+octet-stream",
                    "text/plain"));
            body = j.bytes(2048);
        }
        return assemble("tus " + method + " /v1/uploads/{id}", method, target, headers, body);
    }
}
