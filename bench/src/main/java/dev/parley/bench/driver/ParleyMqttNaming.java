package dev.parley.bench.driver;

import java.net.URI;
import java.nio.file.Path;

/**
 * Parley's MQTT gateway (PROTOCOL.md, "Gateways"): the accounts and conversations are made over HTTP by
 * {@link ParleySetup}, exactly as for the WebSocket driver; a client connects with username = the user's
 * handle and password = a session token, and uses topic {@code conversations/<conversationId>}.
 */
public final class ParleyMqttNaming implements MqttNaming {
    private final ParleySetup setup;
    private volatile ParleySetup.Fixture fixture;

    /**
     * @param base     the server's HTTP base URL, for the setup
     * @param cacheDir where prepared accounts may be cached between runs against the same data, or null
     */
    public ParleyMqttNaming(URI base, Path cacheDir) {
        this.setup = new ParleySetup(base, cacheDir);
    }

    @Override
    public void prepare(Topology topology) throws Exception {
        fixture = setup.prepare(topology);
    }

    @Override
    public String topic(int member) {
        ParleySetup.Fixture f = fixture();
        return "conversations/" + f.conversations().get(member / f.membersPerGroup());
    }

    @Override
    public String username(int member) {
        return fixture().users().get(member).handle();
    }

    @Override
    public String password(int member) {
        return fixture().users().get(member).token();
    }

    private ParleySetup.Fixture fixture() {
        ParleySetup.Fixture f = fixture;
        if (f == null) {
            throw new IllegalStateException("prepare() first");
        }
        return f;
    }
}
