package dev.relay.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountPolicyTest {
    @TempDir
    Path dir;

    private String refusal(MountPolicy policy, Path host, String container) {
        return assertThrows(IllegalArgumentException.class,
                () -> policy.check(new MountPolicy.Request(host, container, true))).getMessage();
    }

    @Test
    void allows_a_directory_under_an_allowed_root_read_only_by_default() throws Exception {
        Path repos = Files.createDirectories(dir.resolve("repos/app"));
        MountPolicy policy = new MountPolicy(List.of(dir.resolve("repos")), dir.resolve("relay-home"));
        Hardening.ExtraMount m = policy.check(new MountPolicy.Request(repos, "/repo", true));
        assertEquals(repos.toRealPath(), m.host());
        assertEquals("/repo", m.container());
        assertTrue(m.readOnly());
    }

    @Test
    void refuses_what_is_outside_the_allow_list_even_through_a_symlink() throws Exception {
        Path secret = Files.createDirectories(dir.resolve("elsewhere/data"));
        Files.createDirectories(dir.resolve("repos"));
        Path link = Files.createSymbolicLink(dir.resolve("repos/link"), secret);
        MountPolicy policy = new MountPolicy(List.of(dir.resolve("repos")), dir.resolve("relay-home"));
        assertTrue(refusal(policy, link, "/data").contains("not under a directory of agents.mount_allowlist"));
        assertTrue(refusal(new MountPolicy(List.of(), dir.resolve("relay-home")), secret, "/data").contains("the list is empty"));
    }

    @Test
    void refuses_credential_stores_and_directories_holding_them() throws Exception {
        Path repos = Files.createDirectories(dir.resolve("repos"));
        MountPolicy policy = new MountPolicy(List.of(repos), dir.resolve("relay-home"));
        Path ssh = Files.createDirectories(repos.resolve("me/.ssh"));
        assertTrue(refusal(policy, ssh, "/keys").contains(".ssh"));
        assertTrue(refusal(policy, repos.resolve("me"), "/me").contains("contains .ssh"));
        Path withEnv = Files.createDirectories(repos.resolve("svc"));
        Files.writeString(withEnv.resolve(".env"), "KEY=x");
        assertTrue(refusal(policy, withEnv, "/svc").contains("contains .env"));
        Path aws = Files.createDirectories(repos.resolve("x/.aws/sub"));
        assertTrue(refusal(policy, aws, "/aws").contains(".aws"));
    }

    @Test
    void refuses_the_relay_home_bad_container_paths_and_missing_directories() throws Exception {
        Path home = Files.createDirectories(dir.resolve("relay-home"));
        MountPolicy policy = new MountPolicy(List.of(dir), home);
        assertTrue(refusal(policy, home, "/h").contains("overlaps the relay's home"));
        assertTrue(refusal(policy, dir, "/all").contains("overlaps the relay's home"), "a parent of the home too");
        Path ok = Files.createDirectories(dir.resolve("proj"));
        assertTrue(refusal(policy, ok, "relative").contains("absolute"));
        assertTrue(refusal(policy, ok, "/workspace").contains("/workspace"));
        assertTrue(refusal(policy, ok, "/proc/x").contains("/proc"));
        assertTrue(refusal(policy, dir.resolve("nope"), "/n").contains("does not exist"));
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        assertTrue(refusal(policy, file, "/f").contains("not a directory"));
    }
}
