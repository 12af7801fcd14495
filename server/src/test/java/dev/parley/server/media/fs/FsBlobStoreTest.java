package dev.parley.server.media.fs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.core.contract.BlobStoreContract;
import dev.parley.core.port.BlobStore;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class FsBlobStoreTest extends BlobStoreContract {
    @Override
    protected BlobStore newStore() throws Exception {
        return new FsBlobStore(Files.createTempDirectory(files, "media"));
    }

    @Test
    void keysCannotEscapeTheFolder() {
        assertThatThrownBy(() -> store.size("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.size("sha256/../../x")).isInstanceOf(IllegalArgumentException.class);
    }
}
