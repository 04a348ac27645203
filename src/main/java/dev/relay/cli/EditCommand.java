package dev.relay.cli;

import dev.relay.monitor.QueueItems;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "edit", mixinStandardHelpOptions = true,
        description = {"Replaces the text of a waiting message (see `relay queue`) before it is taken; everything else",
            "is kept (an envelope keeps its session, id, name and place in the queue). The original is kept in",
            "queue/.edited/ or state/edited/, and the edit is recorded in state/edits.jsonl.",
            "Exits 1 when the id is unknown or the message is taken.",
            "",
            "Examples:",
            "  relay edit e3f9a2c --text \"Tests pass; merge it.\"",
            "  relay edit r07b1d44 --file reply.md",
            "  pbpaste | relay edit o5c2e9a1 -"})
final class EditCommand extends HomeCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The message's id from `relay queue` (a unique prefix will do).")
    String id;

    @Option(names = "--text", paramLabel = "TEXT", description = "The new text.")
    String text;

    @Option(names = "--file", paramLabel = "F", description = "Read the new text from this file.")
    Path file;

    @Parameters(index = "1..*", paramLabel = "-", description = "- to read the new text from standard input.")
    List<String> words;

    @Override
    public Integer call() {
        List<String> given = new ArrayList<>(words == null ? List.of() : words);
        if (text != null) {
            if (!given.isEmpty()) {
                throw new UserException("give the new text as --text TEXT, --file F, or - (exactly one of them)",
                        ExitCodes.USAGE);
            }
            given.add(text);
        }
        String newText = TextSource.read(given.isEmpty() ? null : given, file, System.in);
        QueueItems items = new QueueItems(home(), settings(false).maxEnvelopeBytes(), Clock.systemUTC());
        QueueItems.Outcome outcome = items.edit(id, newText, "cli");
        if (outcome instanceof QueueItems.Outcome.Refused r) {
            throw new UserException(r.reason());
        }
        QueueItems.Outcome.Done done = (QueueItems.Outcome.Done) outcome;
        out().println(done.item().id() + ": edited (" + done.item().kind().wire()
                + done.item().session().map(s -> " for " + s).orElse("") + "); the original is kept in "
                + home().root().relativize(done.keptAt()));
        return ExitCodes.OK;
    }
}
