package dev.parley.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parley.server.config.ConfigLoader;
import dev.parley.server.config.NodeRoles;
import dev.parley.server.config.NodeRoles.Role;
import dev.parley.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which role serves which path, and how the roles are read from the option, the environment and the file. */
class RoleGateTest {
    @TempDir
    Path dir;

    @Test
    void everyPathBelongsToTheRoleThatServesIt() {
        assertThat(RoleGate.roleOf("/healthz")).isEmpty();
        assertThat(RoleGate.roleOf("/metrics")).isEmpty();
        for (String p : List.of("/v1/ws", "/v1/mqtt", "/socket.io/", "/socket.io")) {
            assertThat(RoleGate.roleOf(p)).as(p).contains(Role.GATEWAY);
        }
        for (String p : List.of("/v1/media", "/v1/media/med_1", "/v1/media/med_1/content", "/v1/uploads",
                "/v1/uploads/upl_1")) {
            assertThat(RoleGate.roleOf(p)).as(p).contains(Role.MEDIA);
        }
        for (String p : List.of("/v1/me", "/v1/accounts", "/v1/conversations/c/messages", "/v1/openapi.json",
                "/v1/admin/users", "/v1/push/vapid", "/", "/index.html", "/js/client.js", "/v1/mediaX", "/v1/ws2",
                "/v1/uploadsX")) {
            assertThat(RoleGate.roleOf(p)).as(p).contains(Role.API);
        }
    }

    @Test
    void aNodeServesThePathsOfItsRolesAndThoseOfEveryNode() {
        RoleGate gateway = new RoleGate(new NodeRoles(EnumSet.of(Role.GATEWAY)));
        assertThat(gateway.serves("/v1/ws")).isTrue();
        assertThat(gateway.serves("/healthz")).isTrue();
        assertThat(gateway.serves("/metrics")).isTrue();
        assertThat(gateway.serves("/v1/me")).isFalse();
        assertThat(gateway.serves("/v1/uploads")).isFalse();
        RoleGate worker = new RoleGate(new NodeRoles(EnumSet.of(Role.WORKER)));
        assertThat(worker.serves("/healthz")).isTrue();
        assertThat(worker.serves("/v1/ws")).isFalse();
        assertThat(worker.serves("/v1/openapi.json")).isFalse();
        assertThat(worker.gateway()).isFalse();
        RoleGate all = new RoleGate(NodeRoles.all());
        assertThat(List.of("/v1/ws", "/v1/me", "/v1/media/x", "/")).allMatch(all::serves);
    }

    @Test
    void rolesParseFromAListOrACommaSeparatedString() {
        assertThat(NodeRoles.parse(List.of("gateway, API", "media")).roles())
                .containsExactlyInAnyOrder(Role.GATEWAY, Role.API, Role.MEDIA);
        assertThat(NodeRoles.parse(List.of("worker")).list()).containsExactly("worker");
        assertThat(NodeRoles.all().list()).containsExactly("gateway", "api", "media", "worker");
        assertThat(NodeRoles.all().isAll()).isTrue();
        assertThat(NodeRoles.parse(List.of("api,media")).isAll()).isFalse();
    }

    @Test
    void anUnknownRoleOrNoneIsAStartUpErrorNamingTheValidRoles() {
        assertThatThrownBy(() -> NodeRoles.parse(List.of("gateway,frontend")))
                .hasMessageContaining("unknown role 'frontend'")
                .hasMessageContaining("gateway, api, media, worker");
        assertThatThrownBy(() -> NodeRoles.parse(List.of(" , ")))
                .hasMessageContaining("gateway, api, media, worker");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("PARLEY_ROLES", "api,wrker"),
                ConfigLoader.Overrides.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server.roles")
                .hasMessageContaining("PARLEY_ROLES")
                .hasMessageContaining("unknown role 'wrker'")
                .hasMessageContaining("valid roles: gateway, api, media, worker");
    }

    @Test
    void rolesComeFromTheFileTheEnvironmentAndTheOptionLaterWinning() throws Exception {
        assertThat(load(Optional.empty(), Map.of(), null).roles()).isEqualTo(NodeRoles.all());
        Path file = Files.writeString(dir.resolve("parley.yml"), "server:\n  roles: [api, media]\n");
        assertThat(load(Optional.of(file), Map.of(), null).roles().list()).containsExactly("api", "media");
        Path csv = Files.writeString(dir.resolve("csv.yml"), "server:\n  roles: gateway,worker\n");
        assertThat(load(Optional.of(csv), Map.of(), null).roles().list()).containsExactly("gateway", "worker");
        assertThat(load(Optional.of(file), Map.of("PARLEY_ROLES", "gateway"), null).roles().list())
                .containsExactly("gateway");
        assertThat(load(Optional.of(file), Map.of("PARLEY_SERVER_ROLES", "worker"), null).roles().list())
                .containsExactly("worker");
        assertThat(load(Optional.of(file), Map.of("PARLEY_ROLES", "gateway"), "worker,api").roles().list())
                .containsExactly("api", "worker");
    }

    private static ServerConfig load(Optional<Path> file, Map<String, String> env, String roles) {
        return ConfigLoader.load(file, env, new ConfigLoader.Overrides(null, null, null, null, roles));
    }
}
