package dev.relay.cli;

import dev.relay.state.ControlFiles;
import dev.relay.state.RelayState;
import picocli.CommandLine.Command;

@Command(name = "resume", mixinStandardHelpOptions = true,
        description = {"Resumes the running relay after a pause, a needs_jc pause or an API error that stopped it.",
            "Secrets are re-read from .env and the environment first, so a fixed ANTHROPIC_API_KEY takes effect."})
final class ResumeCommand extends ControlCommand {
    @Override
    public Integer call() throws InterruptedException {
        return send(ControlFiles.Command.RESUME, s -> s.state() != RelayState.PAUSED && s.state() != RelayState.NEEDS_JC,
                "resumed");
    }
}
