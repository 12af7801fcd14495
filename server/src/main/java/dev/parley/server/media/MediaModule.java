package dev.parley.server.media;

import dev.parley.core.AccountService;
import dev.parley.core.ChatService;
import dev.parley.core.media.BlobStore;
import dev.parley.core.media.MediaStore;
import dev.parley.core.port.IdGenerator;
import dev.parley.server.gateway.http.HttpApi;
import dev.parley.server.media.fs.FsBlobStore;
import dev.parley.server.media.http.MediaApi;
import dev.parley.server.media.jdbc.JdbcMediaStore;
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
    private volatile LinkSigner signer;

    private MediaModule(MediaConfig config, Path mediaDir, BlobStore blobs, MediaStore catalog, MediaIngest ingest,
                        IdGenerator ids, Clock clock) {
        this.config = config;
        this.mediaDir = mediaDir;
        this.blobs = blobs;
        this.catalog = catalog;
        this.ingest = ingest;
        this.ids = ids;
        this.clock = clock;
    }

    /** Opens the blob store and the catalog; nothing is served until {@link #api} is mounted. */
    public static MediaModule open(MediaConfig config, Path dataDir, Database db, IdGenerator ids, Clock clock) {
        Path mediaDir = config.dirUnder(dataDir).toAbsolutePath().normalize();
        BlobStore blobs = MediaConfig.S3.equals(config.type()) ? new S3BlobStore(config.s3(), clock)
                : new FsBlobStore(mediaDir);
        MediaStore catalog = new JdbcMediaStore(db);
        MediaTools tools = new MediaTools(config.ffmpeg(), config.ffprobe(), config.pdftoppm(), config.toolTimeout());
        MediaIngest ingest = new MediaIngest(blobs, catalog, config, tools, ids, clock, mediaDir.resolve("tmp"));
        log.info("media: {} (folder {})", config, mediaDir);
        return new MediaModule(config, mediaDir, blobs, catalog, ingest, ids, clock);
    }

    /** The catalog, for the chat core's attachment checks. */
    public MediaStore catalog() {
        return catalog;
    }

    public BlobStore blobs() {
        return blobs;
    }

    /** The media endpoints, to mount on the HTTP API. */
    public HttpApi.RouteModule api(Vertx vertx, AccountService accounts, ChatService chat, ExecutorService blocking) {
        signer = new LinkSigner(catalog, clock, config.keyRotation(), config.linkTtl());
        return new MediaApi(vertx, accounts, chat, catalog, blobs, ingest, signer, config, mediaDir, blocking, ids,
                clock);
    }

    @Override
    public void close() {
        blobs.close();
        catalog.close();
    }
}
