package dev.relay.cli;

import picocli.CommandLine.Command;

@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the relay: takes envelopes from queue/, sends each to the coordinator, and dispatches the replies.",
            "",
            "Without --daemon it opens the full-screen console (queue, conversation, log and status panes; press ? for"
                + " the keys) with the relay loop inside it. If a relay already runs on this home (a daemon under systemd,"
                + " say), the console attaches to it instead: it shows that relay and acts on it, and quitting the console"
                + " leaves it running. Two consoles may watch one home.",
            "",
            "With --daemon it runs headless (for systemd): logs go to stdout and logs/relay.log, and SIGTERM ends it"
                + " cleanly with exit 0. Only one relay runs per home: a second daemon exits with code 3."
        })
final class RunCommand extends RunBase {
}
