package dev.relay.cli;

import dev.relay.state.ControlFiles;
import dev.relay.state.RelayState;
import picocli.CommandLine.Command;

@Command(name = "pause", mixinStandardHelpOptions = true,
        description = {"Pauses the running relay: no envelope is taken until `relay resume`.",
            "A turn already with the coordinator completes; replies already made are still dispatched; overrides still work."})
final class PauseCommand extends ControlCommand {
    @Override
    public Integer call() throws InterruptedException {
        return send(ControlFiles.Command.PAUSE, s -> s.state() == RelayState.PAUSED, "paused");
    }
}
