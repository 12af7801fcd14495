package dev.parley.server.media;

import dev.parley.core.AccountService;
import dev.parley.core.ChatService;
import dev.parley.core.port.BlobStore;
import dev.parley.core.port.MediaStore;
import dev.parley.core.port.IdGenerator;
import dev.parley.core.port.UploadStore;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.media.fs.FsBlobStore;
import dev.parley.server.media.http.MediaApi;
import dev.parley.server.media.jdbc.JdbcMediaStore;
import dev.parley.server.media.jdbc.JdbcUploadStore;
import dev.parley.server.gateway.ClientAddresses;
import dev.parley.core.port.RateLimiter;
import dev.parley.server.media.s3.S3BlobStore;
import dev.parley.server.media.tools.MediaTools;
import dev.parley.server.store.jdbc.Database;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media wiring of one node: the blob store chosen by {@code media.type}, the catalog in the chat
 * database, the ingest pipeline, the link signer and the HTTP endpoints. Closing it closes the blob store.
 */
public final class MediaModule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaModule.class);

    private final MediaConfig config;
    private final Path mediaDir;
    private final BlobStore blobs;
    private final MediaStore catalog;
    private final MediaIngest ingest;
    private final IdGenerator ids;
    private final Clock clock;
    private final UploadStore uploads;
    private final RateLimiter rateLimiter;
    private final MediaSweeper sweeper;
    private volatile LinkSigner signer;

    private MediaModule(MediaConfig config, Path mediaDir, BlobStore blobs, MediaStore catalog, MediaIngest ingest,
                        IdGenerator ids, Clock clock, UploadStore uploads, RateLimiter rateLimiter) {
        this.config = config;
        this.mediaDir = mediaDir;
        this.blobs = blobs;
        this.catalog = catalog;
        this.ingest = ingest;
        this.ids = ids;
        this.clock = clock;
        this.uploads = uploads;
        this.rateLimiter = rateLimiter;
        this.sweeper = new MediaSweeper(catalog, blobs, uploads, config, clock, mediaDir.resolve("tmp"));
    }

    /**
     * Opens the blob store and the catalog; nothing is served until {@link #api} is mounted, and nothing is
     * swept until {@code sweeper().start()} (nodes with the {@code media} role).
     *
     * @param rateLimiter the node's limiter (shared through Redis in a cluster), for the upload rates
     */
    public static MediaModule open(MediaConfig config, Path dataDir, Database db, IdGenerator ids, Clock clock,
                                   RateLimiter rateLimiter) {
        Path mediaDir = config.dirUnder(dataDir).toAbsolutePath().normalize();
        BlobStore blobs = MediaConfig.S3.equals(config.type()) ? new S3BlobStore(config.s3(), clock)
                : new FsBlobStore(mediaDir);
        MediaStore catalog = new JdbcMediaStore(db);
        MediaTools tools = new MediaTools(config.ffmpeg(), config.ffprobe(), config.pdftoppm(), config.toolTimeout(),
                config.toolMemoryBytes(), mediaDir.resolve("tmp"));
        MediaIngest ingest = new MediaIngest(blobs, catalog, config, tools, ids, clock, mediaDir.resolve("tmp"));
        log.info("media: {} (folder {})", config, mediaDir);
        MediaModule module = new MediaModule(config, mediaDir, blobs, catalog, ingest, ids, clock,
                new JdbcUploadStore(db), rateLimiter);
        return module;
    }

    /** The collector of released and orphaned media, for operators' tools and tests. */
    public MediaSweeper sweeper() {
        return sweeper;
    }

    /** The catalog, for the chat core's attachment checks; a release wakes the sweeper. */
    public MediaStore catalog() {
        return new SweepOnRelease(catalog, sweeper);
    }

    public BlobStore blobs() {
        return blobs;
    }

    /** The media endpoints, to mount on the HTTP API; per-address limits keyed by the node's {@code addresses}. */
    public HttpApi.RouteModule api(Vertx vertx, AccountService accounts, ChatService chat, ExecutorService blocking,
                                   ClientAddresses addresses) {
        signer = new LinkSigner(catalog, clock, config.keyRotation(), config.linkTtl());
        return new MediaApi(vertx, accounts, chat, catalog, blobs, ingest, signer, config, mediaDir, blocking, ids,
                clock, uploads, rateLimiter, addresses);
    }

    @Override
    public void close() {
        sweeper.close();
        blobs.close();
        catalog.close();
    }
}
