package dev.parley.server.push;

import dev.parley.core.AccountService;
import dev.parley.core.ChatService;
import dev.parley.core.PresenceService;
import dev.parley.core.event.BusEvent;
import dev.parley.core.port.EventBus;
import dev.parley.core.port.AccountStore;
import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.MessageStore;
import dev.parley.core.port.PushSender;
import dev.parley.core.push.PushDelivery;
import dev.parley.core.push.PushService;
import dev.parley.server.config.OutboundConfig;
import dev.parley.server.config.PushConfig;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.gateway.http.PushApi;
import dev.parley.server.outbound.OutboundHttp;
import dev.parley.server.outbound.OutboundRefused;
import dev.parley.server.outbound.OutboundRule;
import dev.parley.server.push.apns.ApnsPushSender;
import dev.parley.server.push.fcm.FcmPushSender;
import dev.parley.server.push.webpush.Vapid;
import dev.parley.server.push.webpush.WebPushSender;
import dev.parley.server.store.jdbc.Database;
import dev.parley.server.store.jdbc.JdbcPushQueue;
import dev.parley.server.store.jdbc.JdbcPushStore;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push notifications wired together: the stores and durable queue in the node's database, the VAPID key, a
 * sender per configured push service (Web Push always; FCM and APNs when their credentials are given), the
 * decisions taken when entries are stored, the delivery worker and the HTTP routes. Every request to a push
 * service goes through {@link OutboundHttp} and so through the outbound rule.
 */
public final class PushModule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushModule.class);

    private final PushService service;
    private final PushDelivery delivery;
    private final Vapid vapid;
    private final JdbcPushQueue queue;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final ExecutorService decisions = Executors.newVirtualThreadPerTaskExecutor();

    private PushModule(PushConfig config, OutboundConfig outbound, Vertx vertx, Database db, EventBus bus,
                       ChatService chat, MessageStore messages, AccountStore accounts, PresenceService presence,
                       IdGenerator ids, Clock clock, PushDelivery.Outcomes outcomes) {
        JdbcPushStore store = new JdbcPushStore(db, clock);
        this.queue = new JdbcPushQueue(db);
        this.vapid = Vapid.load(store, config.vapidSubject(), clock);
        OutboundRule rule = OutboundRule.of(outbound);
        Duration ttl = Duration.ofSeconds(config.ttlSeconds());
        List<PushSender> senders = new ArrayList<>();
        OutboundHttp http1 = OutboundHttp.http1(vertx, rule, outbound);
        closeables.add(http1);
        senders.add(new WebPushSender(vapid, http1, ttl));
        if (config.fcm() != null) {
            senders.add(fcm(config.fcm(), http1, clock));
        }
        if (config.apns() != null) {
            senders.add(apns(config.apns(), vertx, rule, outbound, clock, ttl));
        }
        this.service = new PushService(store, queue, messages, accounts, chat, presence, uri -> {
            try {
                rule.check(uri);
                return Optional.empty();
            } catch (OutboundRefused e) {
                return Optional.of(e.getMessage());
            }
        }, ids, clock, new PushService.Options(config.preview(), config.coalesceMs(), 10), decisions,
                (userId, deviceId) -> bus.publish(BusEvent.PUSH_TOPIC, new BusEvent.PushSubscribed(userId, deviceId)));
        // The table of subscribed devices: devices registering on any node come over the bus; the store is read
        // now and again once the bus confirms the subscription (a device registered meanwhile on another node).
        EventBus.Subscription announcements = bus.subscribe(BusEvent.PUSH_TOPIC, e -> {
            if (e instanceof BusEvent.PushSubscribed s) {
                service.subscribed(s.userId(), s.deviceId());
            }
        });
        closeables.add(announcements);
        service.loadSubscribers();
        announcements.ready().thenRunAsync(this::reloadSubscribers, decisions);
        this.delivery = new PushDelivery(queue, store, accounts, presence, senders, clock,
                PushDelivery.Options.defaults(), outcomes);
        if (config.enabled()) {
            chat.onEntryStored(service::entryStored);
        }
        log.info("push: web push on (VAPID key {}…), fcm {}, apns {}, preview {}, coalescing {} ms",
                vapid.publicKey().substring(0, 8), config.fcm() != null ? "on" : "off",
                config.apns() != null ? "on" : "off", config.preview(), config.coalesceMs());
    }

    /**
     * Opens push for a node. When {@code config.enabled()} is false the routes still work (devices may register)
     * but nothing is decided; pushes already queued are still delivered (once {@link #startDelivery} is called).
     */
    public static PushModule open(PushConfig config, OutboundConfig outbound, Vertx vertx, Database db,
                                  EventBus bus, ChatService chat, MessageStore messages, AccountStore accounts,
                                  PresenceService presence, IdGenerator ids, Clock clock,
                                  PushDelivery.Outcomes outcomes) {
        return new PushModule(config, outbound, vertx, db, bus, chat, messages, accounts, presence, ids, clock,
                outcomes);
    }

    /**
     * Reads the subscribed devices from the store again, e.g. after a bus outage during which announcements of
     * devices registering on other nodes may have been missed.
     */
    public void reloadSubscribers() {
        try {
            service.loadSubscribers();
        } catch (RuntimeException e) {
            log.warn("cannot read the devices with push subscriptions", e);
        }
    }

    private static FcmPushSender fcm(PushConfig.Fcm c, OutboundHttp http, Clock clock) {
        FcmPushSender.ServiceAccount account;
        try {
            account = FcmPushSender.ServiceAccount.parse(Files.readAllBytes(c.credentialsFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read push.fcm.credentialsFile " + c.credentialsFile(), e);
        }
        String url = c.url();
        if (url == null) {
            if (account.projectId() == null) {
                throw new IllegalArgumentException("push.fcm.url is needed: the service account names no project_id");
            }
            url = "https://fcm.googleapis.com/v1/projects/" + account.projectId() + "/messages:send";
        }
        URI tokenUrl = URI.create(c.tokenUrl() != null ? c.tokenUrl() : account.tokenUri());
        return new FcmPushSender(URI.create(url), tokenUrl, account, http, clock);
    }

    private ApnsPushSender apns(PushConfig.Apns c, Vertx vertx, OutboundRule rule, OutboundConfig outbound,
                                Clock clock, Duration ttl) {
        HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true)
                .setHttp2ClearTextUpgrade(false);
        if (c.caFile() != null) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(c.caFile().toString()));
        }
        OutboundHttp http2 = new OutboundHttp(vertx, rule, outbound, options);
        closeables.add(http2);
        try {
            var key = Pem.privateKey(Files.readString(c.keyFile()), "EC");
            return new ApnsPushSender(URI.create(c.url()), c.teamId(), c.keyId(), key, c.topic(), http2, clock, ttl);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read push.apns.keyFile " + c.keyFile(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("push.apns.keyFile is not a PKCS#8 EC key (.p8)", e);
        }
    }

    /**
     * Starts delivering from the durable queue on this node (nodes with the {@code worker} role). Decisions are
     * taken wherever entries are stored and wait in the queue, in the database, for a worker.
     */
    public void startDelivery() {
        delivery.start();
    }

    public PushService service() {
        return service;
    }

    /** Pushes waiting in the durable queue (a gauge). */
    public int queued() {
        return queue.size();
    }

    /** The routes: VAPID key, subscriptions, conversation settings. */
    public HttpApi.RouteModule api(AccountService accounts, ExecutorService blocking, int maxBodyBytes) {
        return new PushApi(service, vapid::publicKey, accounts, blocking, maxBodyBytes);
    }

    @Override
    public void close() {
        delivery.close();
        decisions.shutdown();
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
