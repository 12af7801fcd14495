package dev.parley.bench.fuzz;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deliberately small WebSocket client (RFC 6455) over a plain socket, so the fuzzer can write what a
 * well-behaved library never would: binary and unknown opcodes, reserved bits, unmasked or lying length
 * headers, invalid UTF-8 in text frames, fragments interleaved with control frames. Blocking; each socket
 * has one writer thread and one reader thread.
 */
final class RawWebSocket implements Closeable {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** A frame from the server; {@code payload} of a fragmented message is already joined. */
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, 1005 when it carries none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** The HTTP status of the handshake: 101 when the socket is open. */
    final int handshakeStatus;

    private RawWebSocket(Socket socket, InputStream in, OutputStream out, int handshakeStatus) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.handshakeStatus = handshakeStatus;
    }

    /**
     * Connects and performs the opening handshake on {@code path}. A refused handshake (any status but 101)
     * is returned with the socket already closed.
     *
     * @param extraHeaders raw header lines ({@code "Origin: http://x"}), each without CRLF
     */
    static RawWebSocket open(String host, int port, String path, int timeoutMs, String... extraHeaders)
            throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            StringBuilder req = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host)
                    .append(':').append(port).append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key))
                    .append("\r\nSec-WebSocket-Version: 13\r\n");
            for (String h : extraHeaders) {
                req.append(h).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String head = RawHttp.readHead(in);
            int status = RawHttp.status(head);
            if (status != 101) {
                s.close();
            }
            return new RawWebSocket(s, in, out, status);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    boolean isOpen() {
        return handshakeStatus == 101 && !socket.isClosed();
    }

    /** Read timeout for {@link #read}, e.g. 0 for none. */
    void readTimeout(int ms) throws IOException {
        socket.setSoTimeout(ms);
    }

    /** A well-formed, masked, final frame. */
    void send(int opcode, byte[] payload) throws IOException {
        send(opcode, payload, true, true, 0, payload.length);
    }

    void sendText(String text) throws IOException {
        send(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Any frame: {@code rsv} goes into the three reserved bits, {@code declaredLength} into the length
     * field (it may disagree with the payload, which a client must never do).
     */
    synchronized void send(int opcode, byte[] payload, boolean fin, boolean mask, int rsv, long declaredLength)
            throws IOException {
        out.write((fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0xf));
        int maskBit = mask ? 0x80 : 0;
        if (declaredLength < 126) {
            out.write(maskBit | (int) declaredLength);
        } else if (declaredLength <= 0xffff) {
            out.write(maskBit | 126);
            out.write((int) (declaredLength >>> 8) & 0xff);
            out.write((int) declaredLength & 0xff);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (declaredLength >>> shift) & 0xff);
            }
        }
        if (mask) {
            byte[] key = new byte[4];
            ThreadLocalRandom.current().nextBytes(key);
            out.write(key);
            byte[] masked = new byte[payload.length];
            for (int i = 0; i < payload.length; i++) {
                masked[i] = (byte) (payload[i] ^ key[i & 3]);
            }
            out.write(masked);
        } else {
            out.write(payload);
        }
        out.flush();
    }

    /** A close frame with a code, as a polite client ends. */
    void sendClose(int code) throws IOException {
        send(CLOSE, new byte[] {(byte) (code >>> 8), (byte) code});
    }

    /**
     * The next data message (text or binary, fragments joined) or control frame from the server.
     *
     * @param maxBytes only the first {@code maxBytes} of a longer message are kept (enough to classify it)
     * @throws EOFException when the connection ends without a close frame
     */
    Frame read(int maxBytes) throws IOException {
        ByteArrayOutputStream message = null;
        int messageOpcode = -1;
        while (true) {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0) {
                throw new EOFException("connection ended");
            }
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0xf;
            long len = b1 & 0x7f;
            if (len == 126) {
                len = ((long) readByte() << 8) | readByte();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte();
                }
            }
            byte[] key = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
            byte[] payload = readPayload(len, maxBytes);
            if (key != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= key[i & 3];
                }
            }
            if (opcode >= 0x8) {
                return new Frame(opcode, payload);
            }
            if (opcode != CONTINUATION) {
                messageOpcode = opcode;
                message = new ByteArrayOutputStream();
            }
            if (message != null && message.size() < maxBytes) {
                message.write(payload, 0, Math.min(payload.length, maxBytes - message.size()));
            }
            if (fin) {
                return new Frame(messageOpcode, message == null ? new byte[0] : message.toByteArray());
            }
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection ended inside a frame header");
        }
        return b;
    }

    /** Reads a payload of {@code len} bytes, keeping at most {@code keep} of them (the rest is skipped). */
    private byte[] readPayload(long len, int keep) throws IOException {
        int kept = (int) Math.min(len, keep);
        byte[] p = in.readNBytes(kept);
        if (p.length < kept) {
            throw new EOFException("connection ended inside a frame");
        }
        in.skipNBytes(len - kept); // throws EOFException if the connection ends first
        return p;
    }

    /** Half-closes our side and drops the connection. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
