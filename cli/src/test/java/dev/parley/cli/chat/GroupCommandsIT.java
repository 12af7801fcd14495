package dev.parley.cli.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parley.cli.testing.ParleyProcess;
import dev.parley.server.ParleyServer;
import dev.parley.server.config.SecurityConfig;
import dev.parley.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parley conversation rename|role|members|leave} (and {@code add}/{@code remove} under roles) driven as the
 * command-line contract is: the built {@code parley.jar} run as a process per command, each account in its own
 * {@code PARLEY_HOME}, against a real server.
 */
class GroupCommandsIT {
    @TempDir
    Path dir;
    ParleyServer server;
    String url;

    @BeforeEach
    void start() {
        server = ParleyServer.start(ServerConfig.embedded(dir.resolve("server"), 0).withSendRate(0)
                .withPassword(new ServerConfig.PasswordConfig(64, 1))
                .withSecurity(SecurityConfig.defaults().withSignUpsPerHourPerAddress(0)));
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ParleyProcess.Run parley(String handle, String... args) throws Exception {
        return new ParleyProcess(dir, url).run(handle, handle, args);
    }

    private ParleyProcess.Run ok(String handle, String... args) throws Exception {
        return new ParleyProcess(dir, url).ok(handle, handle, args);
    }

    private List<String> members(String handle, String target) throws Exception {
        return ok(handle, "conversation", "members", target).out().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void ownersAndAdminsRunAGroupAndAPlainMemberIsRefused() throws Exception {
        for (String h : List.of("bob", "carol", "dave")) {
            ok(h, "tail", "--sign-up", "-n", "0");
        }
        String g = ok("alice", "conversation", "create", "--sign-up", "--title", "plans", "@bob", "@carol")
                .out().strip();
        assertThat(members("carol", g)).containsExactly("@alice owner", "@bob member", "@carol member");

        ok("alice", "conversation", "role", "plans", "@bob", "admin");
        ok("bob", "conversation", "rename", g, "Summer plans");
        ok("bob", "conversation", "add", "Summer plans", "@dave");
        assertThat(members("alice", g)).containsExactly("@alice owner", "@bob admin", "@carol member",
                "@dave member");

        ParleyProcess.Run refused = parley("carol", "conversation", "rename", g, "mine");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("only owners and admins may rename");
        ParleyProcess.Run demote = parley("bob", "conversation", "role", g, "@alice", "member");
        assertThat(demote.code()).isEqualTo(2);
        assertThat(parley("carol", "conversation", "remove", g, "@dave").code()).isEqualTo(2);
        assertThat(parley("alice", "conversation", "role", g, "@carol", "emperor").code()).isEqualTo(2);

        ok("bob", "conversation", "remove", g, "@dave");
        ok("alice", "conversation", "leave", "Summer plans");
        assertThat(members("carol", g)).containsExactly("@bob owner", "@carol member");
        String log = ok("carol", "tail", "-c", g, "-n", "20").out();
        assertThat(log).contains("made bob admin").contains("renamed the group to \"Summer plans\"")
                .contains("left alice; bob is now owner");
    }
}
