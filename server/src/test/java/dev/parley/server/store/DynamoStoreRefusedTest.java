package dev.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.ParleyServer;
import dev.parley.server.config.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node refuses {@code store.type: dynamodb} at startup, naming what DynamoDB does not hold. */
class DynamoStoreRefusedTest {
    @TempDir
    Path dir;

    @Test
    void aNodeOnDynamoDbDoesNotStartAndSaysWhy() {
        var store = new ServerConfig.StoreConfig(ServerConfig.StoreConfig.DYNAMODB, null, 4, 256, true, 8,
                new ServerConfig.DynamoDbConfig("http://127.0.0.1:1", "us-east-1", "parley_"));
        ServerConfig config = ServerConfig.embedded(dir, 0).withStore(store);

        assertThatThrownBy(() -> ParleyServer.start(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("store.type dynamodb cannot run a node")
                .hasMessageContaining("search").hasMessageContaining("push subscriptions")
                .hasMessageContaining("media catalog").hasMessageContaining("webhooks").hasMessageContaining("docs/dynamodb.md");
        assertThat(dir.resolve("parley.db")).as("no SQLite store was opened instead").doesNotExist();
    }

    @Test
    void theDynamoDbSettingsDefaultAndValidate() {
        var defaults = ServerConfig.StoreConfig.defaults().dynamodb();
        assertThat(defaults.endpoint()).isNull();
        assertThat(defaults.region()).isEqualTo("us-east-1");
        assertThat(defaults.tablePrefix()).isEqualTo("parley_");
        assertThatThrownBy(() -> new ServerConfig.DynamoDbConfig("127.0.0.1:4567", null, null))
                .hasMessageContaining("store.dynamodb.endpoint must be an http(s) URL");
        assertThatThrownBy(() -> new ServerConfig.DynamoDbConfig(null, null, "bad prefix!"))
                .hasMessageContaining("tablePrefix");
    }
}
