package dev.relay.agents;

import dev.relay.testing.Await;
import dev.relay.testing.TestAgentImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Containers in given states, for the recovery tests. */
final class AgentRuntimeTestSupport {
    private AgentRuntimeTestSupport() {}

    /** A container with these labels that has already exited (code 3). */
    static String exited(AgentRuntime runtime, Path workspace, Map<String, String> labels) throws Exception {
        Files.createDirectories(workspace.resolve("ipc/input"));
        try (var walk = Files.walk(workspace)) {
            for (Path p : walk.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
        }
        DockerAgentRuntimeTest.Recorder r = new DockerAgentRuntimeTest.Recorder();
        AgentSpec spec = new AgentSpec(labels.getOrDefault("dev.relay.agent", "x"), "x", TestAgentImage.IMAGE, workspace,
                Hardening.DEFAULT.withMemory(64L << 20).withNetwork("none"), labels, Map.of());
        RunningAgent a = runtime.start(spec, StartLine.encode("EXIT 3", Optional.empty(), "x", "x", Map.of()), r);
        Await.until("the container exited", Duration.ofSeconds(60), () -> r.exit != null);
        return a.containerId();
    }
}
