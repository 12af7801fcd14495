package dev.parley.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between clients and the server that misbehaves on command: it cuts connections (RST both
 * ways), stalls them (holds bytes back, then lets them through), black-holes them (bytes vanish in both
 * directions and nobody is told, like a dead Wi-Fi) and refuses or black-holes new connections during an
 * outage. The target port can change, so a restarted server can take a new port.
 */
final class ChaosProxy implements AutoCloseable {
    /** What happens to connections opened from now on. */
    enum Mode {
        PASS, REFUSE, BLACKHOLE
    }

    private final ServerSocket listener;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile int targetPort;
    private volatile Mode mode = Mode.PASS;
    private volatile boolean closed;

    ChaosProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = Thread.ofPlatform().daemon().name("chaos-accept-" + listener.getLocalPort()).start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    void retarget(int port) {
        this.targetPort = port;
    }

    void mode(Mode m) {
        this.mode = m;
    }

    /** Resets every open connection in both directions. */
    void cutAll() {
        for (Link l : links) {
            l.cut();
        }
    }

    /**
     * Drops every open connection: the client side is reset, the server side sees an orderly close (FIN),
     * like a client whose network went away after the last bytes were forwarded.
     */
    void dropAll() {
        for (Link l : links) {
            l.drop();
        }
    }

    /** Every open connection silently swallows all bytes from now on. */
    void blackholeAll() {
        for (Link l : links) {
            l.blackholed = true;
        }
    }

    /** Holds back bytes on every open connection for {@code d}, then lets them flow again. */
    void stallAll(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        for (Link l : links) {
            l.stalledUntil = until;
        }
    }

    int openLinks() {
        return links.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            Mode m = mode;
            if (m == Mode.REFUSE) {
                reset(client);
                continue;
            }
            Thread.ofVirtual().start(() -> open(client, m));
        }
    }

    private void open(Socket client, Mode m) {
        Socket upstream = new Socket();
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2_000);
        } catch (IOException e) {
            reset(client);
            reset(upstream);
            return;
        }
        Link link = new Link(client, upstream);
        link.blackholed = m == Mode.BLACKHOLE;
        links.add(link);
        if (closed) {
            link.cut();
            return;
        }
        Thread.ofVirtual().start(() -> link.pump(client, upstream));
        Thread.ofVirtual().start(() -> link.pump(upstream, client));
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already gone
        }
        try {
            s.close();
        } catch (IOException e) {
            // already gone
        }
    }

    private final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean blackholed;
        volatile long stalledUntil;
        final java.util.concurrent.atomic.AtomicInteger finished = new java.util.concurrent.atomic.AtomicInteger();

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(Socket from, Socket to) {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    long wait;
                    while ((wait = stalledUntil - System.nanoTime()) > 0 && !blackholed) {
                        Thread.sleep(Math.max(1, Math.min(50, wait / 1_000_000)));
                    }
                    if (blackholed) {
                        continue; // the bytes vanish
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
                // EOF. A black hole does not pass the goodbye on either.
                if (!blackholed) {
                    to.shutdownOutput();
                }
            } catch (IOException | InterruptedException e) {
                if (!blackholed) {
                    cut();
                }
            } finally {
                if (blackholed) {
                    closeQuietly(from); // the other side is never told
                }
                if (finished.incrementAndGet() == 2) {
                    closeQuietly(client);
                    closeQuietly(upstream);
                    links.remove(this);
                }
            }
        }

        void drop() {
            closeQuietly(upstream);
            reset(client);
            links.remove(this);
        }

        void cut() {
            reset(client);
            reset(upstream);
            links.remove(this);
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Link l : links) {
            l.cut();
        }
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
