package dev.parley.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * One of the node's HTTP servers, deployed once per event loop: Vert.x starts each instance on a context of its
 * own, so the server it creates serves its connections on that context's event loop. All instances listen on the
 * same address; Vert.x binds the port once and deals accepted connections to the instances in turn. Undeploying
 * an instance closes its server and the connections it accepted.
 */
final class HttpServerInstance extends VerticleBase {
    private final Supplier<HttpServer> newServer;
    private final SocketAddress address;
    private final List<HttpServer> listening;
    private HttpServer server;

    /**
     * @param newServer makes a server with every handler set (called on this instance's event loop)
     * @param address   where every instance listens (a shared random port for port 0)
     * @param listening where the instance adds its server once it listens
     */
    HttpServerInstance(Supplier<HttpServer> newServer, SocketAddress address, List<HttpServer> listening) {
        this.newServer = newServer;
        this.address = address;
        this.listening = listening;
    }

    @Override
    public Future<?> start() {
        server = newServer.get();
        return server.listen(address).onSuccess(listening::add);
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
