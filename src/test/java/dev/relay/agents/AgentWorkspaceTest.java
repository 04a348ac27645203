package dev.relay.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.config.SessionConfig;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentWorkspaceTest {
    @TempDir
    Path dir;

    @Test
    void relay_agent_asks_an_agent_to_close_as_the_supervisor_does_and_a_start_forgets_it() throws Exception {
        Home home = new Home(dir);
        SessionId c1 = SessionId.of("c1");
        SessionConfig config = new SessionConfig(c1, SessionConfig.Kind.CONTAINER, Optional.empty(), Optional.empty(),
                SessionConfig.Container.DEFAULTS, Optional.empty());
        AgentWorkspace.askToClose(home, config);   // no workspace yet: made for it
        Path close = home.agentInputDir(c1).resolve("_close");
        assertTrue(Files.exists(close));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(close)), "the agent's user may read it");

        new AgentWorkspace(home, c1, ContainerSpecs.user(config, HostUser.current())).prepare();
        assertFalse(Files.exists(close), "a _close left from before is not meant for the next run");
        assertTrue(Files.isDirectory(home.agentMessagesDir(c1)));
    }
}
