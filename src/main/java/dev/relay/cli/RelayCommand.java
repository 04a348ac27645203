package dev.relay.cli;

import picocli.CommandLine.Command;

/** `relay` with no command opens the console, as `relay run` does. */
@Command(name = "relay",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
            "Relays reports of Claude coding agents to a coordinator model and its replies back to them.",
            "",
            "Every command works on one home directory: --home DIR, else $RELAY_HOME, else the current directory.",
            "Start with `relay init`, put ANTHROPIC_API_KEY in .env, then `relay` (the console; `relay run --help`).",
            "`relay run --daemon` runs it headless; `relay` then attaches a console to it."
        },
        footer = {"", "Exit codes: 0 success, 1 failure, 2 bad usage, 3 another relay holds this home's lock."},
        subcommands = {
            RunCommand.class, StatusCommand.class, TopicCommand.class, SendCommand.class, OverrideCommand.class,
            PauseCommand.class, ResumeCommand.class, AgentsCommand.class, AgentCommand.class, HookCommand.class, CompletionCommand.class, InitCommand.class,
            InboxCommand.class, AnswerCommand.class, AckCommand.class, SnoozeCommand.class, ResolveCommand.class,
            ApproveCommand.class, RejectCommand.class, TraceCommand.class, LogCommand.class,
            QueueCommand.class, CancelCommand.class, EditCommand.class,
            AllowCommand.class, DenyCommand.class, PermissionsCommand.class, RaiseCommand.class, ResumeOnceCommand.class
        })
final class RelayCommand extends RunBase {
}
