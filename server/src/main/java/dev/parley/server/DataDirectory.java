package dev.parley.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's data folder holds everything an attacker on the same machine would want: the database (tokens'
 * hashes, message bodies, media-link signing keys) and the media. It is made private to the user running the
 * node: the folder {@code 0700}, the database files {@code 0600}. The launcher also sets {@code umask 077},
 * so every file the node creates later is private too; the folder's mode alone already keeps other users
 * out of everything inside it.
 */
final class DataDirectory {
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
    static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    /**
     * SQLite's files: the log and its search index (message text too); SQLite gives the WAL and shared-memory
     * files the mode of the main file.
     */
    static final String[] DATABASE_FILES = {"parley.db", "parley.db-wal", "parley.db-shm",
            "parley-search.db", "parley-search.db-wal", "parley-search.db-shm"};

    private DataDirectory() {
    }

    /**
     * Creates {@code dir} (private) or makes an existing one private; with {@code sqlite}, pre-creates the
     * database file {@code 0600} so that SQLite never makes it with the process's umask.
     */
    static void prepare(Path dir, boolean sqlite) {
        boolean posix = Files.getFileAttributeView(dir.getRoot() == null ? Path.of(".") : dir.getRoot(),
                PosixFileAttributeView.class) != null;
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir.getParent() == null ? dir : dir.getParent());
                try {
                    if (posix) {
                        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));
                    } else {
                        Files.createDirectory(dir);
                    }
                } catch (FileAlreadyExistsException raced) {
                    // Another node started on the same folder at the same moment; fall through to tighten it.
                }
            }
            if (!posix) {
                return;
            }
            tighten(dir, DIR);
            for (String name : DATABASE_FILES) {
                Path f = dir.resolve(name);
                if (Files.exists(f)) {
                    tighten(f, FILE);
                } else if (sqlite && (name.equals("parley.db") || name.equals("parley-search.db"))) {
                    try {
                        // An empty file is a valid new SQLite database; creating it here fixes its mode.
                        Files.createFile(f, PosixFilePermissions.asFileAttribute(FILE));
                    } catch (FileAlreadyExistsException raced) {
                        tighten(f, FILE);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare data directory " + dir, e);
        }
    }

    private static void tighten(Path p, Set<PosixFilePermission> wanted) throws IOException {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(p);
        if (now.equals(wanted)) {
            return;
        }
        if (p.getNameCount() <= 1) {
            // Never change the mode of "/" or a top-level folder such as /tmp that someone passed as --data.
            log.warn("data path {} is shared ({}); use a folder of its own", p, PosixFilePermissions.toString(now));
            return;
        }
        try {
            Files.setPosixFilePermissions(p, wanted);
            log.info("made {} private ({} -> {})", p, PosixFilePermissions.toString(now),
                    PosixFilePermissions.toString(wanted));
        } catch (IOException | SecurityException e) {
            log.warn("cannot make {} private ({}): {}", p, PosixFilePermissions.toString(now), e.toString());
        }
    }
}
