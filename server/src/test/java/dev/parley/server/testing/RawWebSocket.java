package dev.parley.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written on a bare {@link Socket}, for tests that must misbehave in ways a real
 * client library will not: offer extensions and send compressed frames, stop reading, never answer pings,
 * connect from a chosen local address. Frames are written masked, as RFC 6455 requires of clients.
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int OP_TEXT = 1;
    public static final int OP_CLOSE = 8;
    public static final int OP_PING = 9;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** Status and headers of the upgrade answer (header names in lower case). */
    public final int status;
    public final Map<String, String> headers;
    /** The body of a refused upgrade (empty after a 101). */
    public final String refusalBody;

    /** One frame read from the server. */
    public record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or -1. */
        public int closeCode() {
            return opcode == OP_CLOSE && payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }
    }

    private RawWebSocket(Socket socket, int status, Map<String, String> headers, String refusalBody)
            throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.status = status;
        this.headers = headers;
        this.refusalBody = refusalBody;
    }

    /**
     * Opens a TCP connection from {@code localHost} (null = any) and asks for an upgrade to {@code /v1/ws}.
     *
     * @param extensions   a {@code Sec-WebSocket-Extensions} offer, or null
     * @param receiveBuffer the socket's receive buffer in bytes (small = a client that reads slowly), or 0
     */
    public static RawWebSocket open(int port, String localHost, String extensions, int receiveBuffer) {
        try {
            Socket s = new Socket();
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            if (localHost != null) {
                s.bind(new InetSocketAddress(InetAddress.getByName(localHost), 0));
            }
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String request = "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                    + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String statusLine = readLine(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
            String body = "";
            if (status != 101 && headers.containsKey("content-length")) {
                byte[] b = new DataInputStream(in).readNBytes(Integer.parseInt(headers.get("content-length")));
                body = new String(b, StandardCharsets.UTF_8);
            }
            return new RawWebSocket(s, status, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Upgrades from 127.0.0.1 and says hello; the welcome is read (and returned as text). */
    public static RawWebSocket connect(int port, String token, int receiveBuffer) {
        RawWebSocket ws = open(port, null, null, receiveBuffer);
        if (ws.status != 101) {
            throw new AssertionError("upgrade refused: " + ws.status + " " + ws.refusalBody);
        }
        ws.sendText("{\"t\":\"hello\",\"id\":\"h\",\"token\":\"" + token + "\"}");
        Frame f = ws.readFrame();
        if (!f.text().contains("\"welcome\"")) {
            throw new AssertionError("no welcome: " + f.text());
        }
        return ws;
    }

    public void sendText(String text) {
        sendFrame(true, 0, OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes one masked frame with the given RSV bits (4 = RSV1, the "compressed" bit). */
    public void sendFrame(boolean fin, int rsv, int opcode, byte[] payload) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream(payload.length + 14);
            b.write((fin ? 0x80 : 0) | (rsv & 7) << 4 | opcode);
            if (payload.length < 126) {
                b.write(0x80 | payload.length);
            } else if (payload.length < 65536) {
                b.write(0x80 | 126);
                b.write(payload.length >>> 8);
                b.write(payload.length);
            } else {
                b.write(0x80 | 127);
                for (int i = 7; i >= 0; i--) {
                    b.write((int) ((long) payload.length >>> (8 * i)));
                }
            }
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            b.write(mask);
            for (int i = 0; i < payload.length; i++) {
                b.write(payload[i] ^ mask[i & 3]);
            }
            out.write(b.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one frame (waiting up to the socket timeout). */
    public Frame readFrame() {
        try {
            DataInputStream d = new DataInputStream(in);
            int b0 = d.readUnsignedByte();
            int b1 = d.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = d.readUnsignedShort();
            } else if (len == 127) {
                len = d.readLong();
            }
            byte[] payload = d.readNBytes((int) len);
            if (payload.length < len) {
                throw new EOFException("frame cut short");
            }
            return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0xf, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads until the server closes: returns its close frame, or null when the connection ended without
     * one (EOF or reset). Counts the text frames seen on the way in {@code texts[0]} when given.
     */
    public Frame readUntilClosed(int[] texts) {
        while (true) {
            Frame f;
            try {
                f = readFrame();
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof SocketTimeoutException) {
                    throw new AssertionError("the server did not close the socket", e);
                }
                return null;
            }
            if (f.opcode() == OP_CLOSE) {
                return f;
            }
            if (f.opcode() == OP_TEXT && texts != null) {
                texts[0]++;
            }
        }
    }

    /** Whether the server has closed the TCP connection (reads EOF or a reset within {@code waitMs}). */
    public boolean tcpClosedWithin(int waitMs) {
        try {
            socket.setSoTimeout(waitMs);
            byte[] buf = new byte[8192];
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        if (c == -1 && sb.isEmpty()) {
            throw new EOFException("connection closed");
        }
        return sb.toString();
    }
}
