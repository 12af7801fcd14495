package dev.parley.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.ParleyServer;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests no HTTP client sends, found by {@code parley bench fuzz}: each is the client's mistake, answered
 * with a 4xx (or the connection closed), never a 500, and the node keeps serving.
 */
class MalformedHttpIT {
    @TempDir
    static Path data;
    static ParleyServer server;

    @BeforeAll
    static void start() {
        server = TestServers.sqlite(data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Sends raw bytes and returns what came back before the server closed or went quiet for 3 s. */
    static String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(3000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException enough) {
                // what arrived is the answer
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static int status(String response) {
        return response.startsWith("HTTP/1.1 ") ? Integer.parseInt(response.substring(9, 12)) : -1;
    }

    @Test
    void aFormOrMultipartBodyOnAGetIsTheClientsMistakeNotAServerError() throws IOException {
        for (String type : new String[] {"multipart/form-data; boundary=x", "application/x-www-form-urlencoded"}) {
            String r = raw("GET /v1/conversations HTTP/1.1\r\nHost: x\r\nContent-Type: " + type
                    + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab");
            assertThat(status(r)).as(type).isBetween(400, 499);
        }
        var api = new Api(server.port());
        var token = api.user("formuser").token();
        String r = raw("GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab");
        assertThat(status(r)).isBetween(200, 499);
    }

    @Test
    void anOverflowingChunkSizeIsRefusedAndTheNodeKeepsServing() throws IOException {
        String r = raw("POST /v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n{}\r\n0\r\n\r\n");
        assertThat(status(r) / 100).as("a 4xx or a closed connection, never a 5xx").isNotEqualTo(5);
        var api = new Api(server.port());
        assertThat(api.user("stillserving").token()).isNotBlank();
    }
}
