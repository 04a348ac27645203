package dev.relay.cli;

import dev.relay.inbox.Action;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "answer", mixinStandardHelpOptions = true,
        description = {"Answers an inbox item. A question the coordinator asked JC ([NEEDS-JC]): your text is the operator's",
            "message to the coordinator, and the relay runs on. A report (you are the coordinator: no API key, or",
            "coordinator: operator): your text is the reply the agent gets. A held reply (review:): your text is sent",
            "instead of the coordinator's. The first answer to an item wins, from anywhere.",
            "",
            "Examples:",
            "  relay answer K7Q2M \"Yes, ship it; skip the flaky test.\"",
            "  echo \"long answer\" | relay answer K7Q2M -"})
final class AnswerCommand extends ItemCommand {
    @Parameters(index = "0", paramLabel = "CODE", description = "The item's code, from `relay inbox` or the notification.")
    String code;

    @Parameters(index = "1..*", paramLabel = "TEXT", arity = "0..*", description = "The answer, or - to read standard input.")
    List<String> words;

    @Option(names = "--file", paramLabel = "F", description = "Read the answer from this file.")
    Path file;

    @Override
    public Integer call() throws InterruptedException {
        return act(code, Action.ANSWER, Optional.of(TextSource.read(words, file, System.in)));
    }
}
