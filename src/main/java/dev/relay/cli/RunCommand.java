package dev.relay.cli;

import picocli.CommandLine.Command;

@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the relay loop: takes envelopes from queue/, sends each to the coordinator, and dispatches the replies.",
            "",
            "With --daemon it runs headless (for systemd): logs go to stdout and logs/relay.log, and SIGTERM ends it",
            "cleanly with exit 0. Without --daemon it runs in the foreground in the same way (the full-screen console",
            "comes in a later version).",
            "",
            "Only one relay runs per home: a second one exits with code 3."
        })
final class RunCommand extends RunBase {
}
