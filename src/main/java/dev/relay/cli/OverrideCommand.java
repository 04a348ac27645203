package dev.relay.cli;

import dev.relay.core.DirectMessage;
import dev.relay.core.Home;
import dev.relay.monitor.FileOperatorActions;
import dev.relay.monitor.OperatorActions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "override", mixinStandardHelpOptions = true,
        description = {"Speaks to the coordinator as the operator (JC), ahead of every queued envelope; clears a needs_jc pause.",
            "A message starting with @SESSION: goes to that session directly, without the coordinator.",
            "",
            "Examples:",
            "  relay override \"Stop the refactor; fix the failing build first.\"",
            "  relay override \"@s1: please rebase on main\""})
final class OverrideCommand extends HomeCommand {
    private static final Duration WAIT_FOR_PREVIOUS = Duration.ofSeconds(3);

    @Option(names = "--file", paramLabel = "F", description = "Read the message from this file.")
    Path file;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "The message, or - to read standard input.")
    List<String> words;

    @Override
    public Integer call() throws InterruptedException {
        String text = TextSource.read(words, file, System.in);
        Home home = home();
        try {
            new FileOperatorActions(home).override(text, WAIT_FOR_PREVIOUS);
        } catch (OperatorActions.Busy e) {
            throw new UserException("an earlier override is still waiting in " + home.jcInputFile()
                    + " (is the relay running? see `relay status`); not replaced");
        }
        out().println(DirectMessage.parse(text).isPresent() ? "override written: it goes to the session directly"
                : "override written: it is the coordinator's next turn");
        if (!Files.exists(home.statusFile())) {
            out().println("(no relay has run in " + home.root() + " yet: it is taken when one starts)");
        }
        return ExitCodes.OK;
    }
}
