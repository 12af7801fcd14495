package dev.parley.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateCipherTest {
    @TempDir
    Path dir;

    @Test
    void theKeyFileIsMadeOnceReadableByItsOwnerOnlyAndOpensWhatItSealed() throws Exception {
        Path keyFile = dir.resolve("alice.db.key");
        StateCipher first = StateCipher.fromKeyFile(keyFile);
        assertThat(Files.size(keyFile)).isEqualTo(32);
        assertThat(Files.getPosixFilePermissions(keyFile))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        byte[] sealed = first.seal("group/cnv_1", "secret state".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("secret state");
        // Another process (or a restart) reads the same key.
        assertThat(StateCipher.fromKeyFile(keyFile).open("group/cnv_1", sealed))
                .isEqualTo("secret state".getBytes(StandardCharsets.UTF_8));
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(keyFile); // no temporary file left behind
        }
    }

    @Test
    void aValueOpensOnlyWithItsKeyAndForItsPurpose() {
        StateCipher a = StateCipher.of(new byte[32]);
        byte[] sealed = a.seal("group/cnv_1", new byte[] {1, 2, 3});
        assertThatThrownBy(() -> a.open("group/cnv_2", sealed)).isInstanceOf(IllegalStateException.class);
        byte[] other = new byte[32];
        other[0] = 1;
        assertThatThrownBy(() -> StateCipher.of(other).open("group/cnv_1", sealed))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("wrong key");
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThatThrownBy(() -> a.open("group/cnv_1", tampered)).isInstanceOf(IllegalStateException.class);
        assertThat(a.open("group/cnv_1", sealed)).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> StateCipher.of(new byte[16])).isInstanceOf(IllegalArgumentException.class);
    }
}
