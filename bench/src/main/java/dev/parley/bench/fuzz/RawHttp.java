package dev.parley.bench.fuzz;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * One keep-alive HTTP/1.1 connection written by hand, so the fuzzer can send any method, header and
 * body (including malformed request lines and lying lengths) that {@code java.net.http} refuses to
 * produce. It reads exactly one response per request: status, headers, and a body framed by
 * {@code Content-Length}, chunked encoding, or the end of the connection.
 */
final class RawHttp implements Closeable {
    private static final int MAX_HEAD = 64 * 1024;

    /** An answer: status, raw head, and the body (un-gzipped, cut to 64 KiB). */
    record Response(int status, String head, byte[] body, boolean closes) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String host;
    private final int port;
    private final int timeoutMs;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawHttp(String host, int port, int timeoutMs) {
        this.host = host;
        this.port = port;
        this.timeoutMs = timeoutMs;
    }

    String hostHeader() {
        return host + ":" + port;
    }

    /**
     * Writes the request bytes and reads the answer. A connection the server closed (or that answered
     * {@code Connection: close}) is reopened for the next request.
     *
     * @param head whether the request was HEAD (its answer has no body)
     */
    Response exchange(byte[] request, boolean head) throws IOException {
        if (socket == null || socket.isClosed()) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            socket.setSoTimeout(timeoutMs);
            in = socket.getInputStream();
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        }
        try {
            out.write(request);
            out.flush();
            String responseHead;
            int status;
            do { // skip interim answers (100 Continue)
                responseHead = readHead(in);
                status = status(responseHead);
            } while (status >= 100 && status < 200);
            String lower = responseHead.toLowerCase(Locale.ROOT);
            boolean closes = lower.contains("\r\nconnection: close");
            byte[] body;
            if (head || status == 204 || status == 304) {
                body = new byte[0];
            } else if (lower.contains("\r\ntransfer-encoding: chunked")) {
                body = readChunked(in);
            } else {
                long length = header(lower, "content-length");
                if (length >= 0) {
                    body = readBounded(in, length);
                } else {
                    body = readBounded(in, Long.MAX_VALUE);
                    closes = true;
                }
            }
            if (lower.contains("\r\ncontent-encoding: gzip") && body.length > 0) {
                try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = gz.readNBytes(64 * 1024);
                } catch (IOException e) {
                    body = ("(bad gzip: " + e.getMessage() + ")").getBytes(StandardCharsets.UTF_8);
                }
            }
            if (closes) {
                close();
            }
            return new Response(status, responseHead, body, closes);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Reads up to the blank line that ends an HTTP head. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(256);
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException(b.size() == 0 ? "no answer" : "connection ended inside the answer head");
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (c == '\r' ? 1 : 0);
            if (b.size() > MAX_HEAD) {
                throw new IOException("answer head over " + MAX_HEAD + " bytes");
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    static int status(String head) throws IOException {
        if (!head.startsWith("HTTP/1.") || head.length() < 12) {
            throw new IOException("not an HTTP answer: " + head.lines().findFirst().orElse(""));
        }
        try {
            return Integer.parseInt(head.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + head.lines().findFirst().orElse(""));
        }
    }

    private static long header(String lowerHead, String name) {
        int i = lowerHead.indexOf("\r\n" + name + ":");
        if (i < 0) {
            return -1;
        }
        int start = i + name.length() + 3;
        int end = lowerHead.indexOf("\r\n", start);
        try {
            return Long.parseLong(lowerHead.substring(start, end).trim());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Reads {@code length} bytes (or to the end), keeping the first 64 KiB. */
    private static byte[] readBounded(InputStream in, long length) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        long left = length;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                if (length == Long.MAX_VALUE) {
                    break;
                }
                throw new EOFException("connection ended inside the answer body");
            }
            if (b.size() < 64 * 1024) {
                b.write(buf, 0, n);
            }
            left -= n;
        }
        return b.toByteArray();
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            String line = readLine(in);
            int semi = line.indexOf(';');
            long size = Long.parseLong((semi >= 0 ? line.substring(0, semi) : line).trim(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailers
                }
                return b.toByteArray();
            }
            byte[] chunk = readBounded(in, size);
            if (b.size() < 64 * 1024) {
                b.write(chunk);
            }
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection ended inside a chunk");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > 1024) {
                throw new IOException("chunk line too long");
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
            socket = null;
        }
    }
}
