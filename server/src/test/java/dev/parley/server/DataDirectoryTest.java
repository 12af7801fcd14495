package dev.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.server.config.ServerConfig;
import dev.parley.server.testing.Api;
import dev.parley.server.testing.TestServers;
import dev.parley.server.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
    @TempDir
    Path tmp;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aNewDataFolderAndItsDatabaseAreReadableByTheirOwnerOnly() throws Exception {
        Path data = tmp.resolve("fresh/data");
        try (ParleyServer server = ParleyServer.start(ServerConfig.embedded(data, 0).withSendRate(0)
                .withPassword(TestServers.FAST_PASSWORDS))) {
            var api = new Api(server.port());
            var alice = api.user("alice");
            var bob = api.user("bob");
            String c = api.direct(alice, bob);
            try (var ws = WsClient.connect(server.port(), alice.token())) {
                ws.call("send", "conversationId", c, "clientMsgId", "m1", "body", "a secret");
            }
            assertThat(mode(data)).isEqualTo("rwx------");
            for (String name : new String[] {"parley.db", "parley.db-wal", "parley.db-shm",
                    "parley-search.db", "parley-search.db-wal", "parley-search.db-shm"}) {
                if (Files.exists(data.resolve(name))) {
                    assertThat(mode(data.resolve(name))).as(name).isEqualTo("rw-------");
                }
            }
            assertThat(data.resolve("parley.db-wal")).exists();
            assertThat(data.resolve("parley-search.db")).exists(); // the search index holds message text too
        }
    }

    @Test
    void anExistingOpenFolderFromAnOlderVersionIsMadePrivate() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("old"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path db = Files.createFile(data.resolve("parley.db"));
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        DataDirectory.prepare(data, true);
        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(db)).isEqualTo("rw-------");
    }

    @Test
    void aPostgresNodeMakesNoSqliteFile() throws Exception {
        Path data = tmp.resolve("pg");
        DataDirectory.prepare(data, false);
        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(data.resolve("parley.db")).doesNotExist();
    }
}
