package dev.relay.cli;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.queue.EnvelopeWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Drops an envelope into queue/ as agent SESSION would.",
            "The relay feeds it to the coordinator and dispatches the reply to that session.",
            "",
            "Examples:",
            "  relay send --session s1 \"Tests pass; what next?\"",
            "  git log -1 | relay send --session s1 -",
            "  relay send --session s1 --file report.md --id build-42"})
final class SendCommand extends HomeCommand {
    @Option(names = "--session", required = true, paramLabel = "S", description = "The session id (letters, digits, _ and -; at most 64).")
    String session;

    @Option(names = "--file", paramLabel = "F", description = "Read the message from this file.")
    Path file;

    @Option(names = "--id", paramLabel = "ID", description = "Idempotency key: an envelope with an id already taken is not taken again.")
    String id;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "The message, or - to read standard input.")
    List<String> words;

    @Override
    public Integer call() {
        if (!SessionId.isValid(session)) {
            try {
                SessionId.of(session);
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage(), ExitCodes.USAGE);
            }
        }
        String text = TextSource.read(words, file, System.in);
        Home home = home();
        long max = settings(false).maxEnvelopeBytes();
        int size = text.getBytes(StandardCharsets.UTF_8).length;
        if (size + 200 > max) {
            throw new UserException("the message is " + size + " bytes; envelopes are limited to max_envelope_bytes ("
                    + max + ") in " + home.configFile());
        }
        Path written = EnvelopeWriter.write(home.queueDir(), SessionId.of(session), text, Optional.ofNullable(id));
        out().println("queued " + home.root().relativize(written));
        return ExitCodes.OK;
    }
}
