package dev.relay.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.claude.HookSettings;
import dev.relay.claude.StopHook;
import dev.relay.claude.StopInput;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.files.AtomicFiles;
import dev.relay.state.StatusFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `relay hook install|uninstall|stop`: a Claude Code session as a file session, with no scripting of its own. */
@Command(name = "hook", mixinStandardHelpOptions = true,
        description = {"Connects a Claude Code session to the relay through Claude Code's Stop hook.",
            "",
            "When Claude Code stops, the hook sends its last message to the coordinator as session S, waits for the"
                + " reply in dispatch/S/input.txt, and hands it back to Claude Code as its next instruction, so that the"
                + " session goes on unattended. If nothing comes in time (or no relay runs), Claude Code stops as usual.",
            "",
            "Claude Code ends a turn after 8 Stop-hook continuations in a row; raise that with the environment"
                + " variable CLAUDE_CODE_STOP_HOOK_BLOCK_CAP when you start claude."},
        subcommands = {HookCommand.Install.class, HookCommand.Uninstall.class, HookCommand.Stop.class})
final class HookCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserException("say what to do: `relay hook install --session S`, `relay hook uninstall --session S`"
                + " (or `relay hook --help`)", ExitCodes.USAGE);
    }

    abstract static class SettingsCommand extends HomeCommand {
        @Option(names = "--session", required = true, paramLabel = "S", description = "The relay session this Claude Code project is.")
        String session;

        @Option(names = "--project", paramLabel = "DIR", description = "The Claude Code project (default: the current directory).")
        Path project;

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "600",
                description = "How long the hook waits for the coordinator's reply (default ${DEFAULT-VALUE}).")
        int waitSeconds;

        Path settingsFile() {
            Path dir = project != null ? project : Path.of("").toAbsolutePath();
            return dir.resolve(".claude").resolve("settings.json");
        }

        SessionId sessionId() {
            try {
                return SessionId.of(session);
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage(), ExitCodes.USAGE);
            }
        }

        @Option(names = "--relay", paramLabel = "COMMAND",
                description = {"How the hook starts Relay (default: this very Relay: its java and classpath).",
                    "E.g. --relay 'jbang /opt/relay/jbang/relay.java' to follow a checkout as it is updated."})
        String relay;

        /** The part of the hook's command that is the same whatever starts Relay and however long it waits. */
        String marker(Home home) {
            return " --home " + quote(home.root().toAbsolutePath().toString()) + " hook stop --session " + sessionId().value()
                    + " --wait ";
        }

        /** The command Claude Code runs: this very relay (its java and classpath), on this home, for this session. */
        String command(Home home) {
            return launcher() + marker(home) + waitSeconds;
        }

        String launcher() {
            if (relay != null && !relay.isBlank()) {
                return relay.strip();
            }
            String java = ProcessHandle.current().info().command().orElse("java");
            return quote(java) + " -cp " + quote(classpath()) + " " + Main.class.getName();
        }

        /** This process's classpath, absolute: target/relay.jar alone, or (from jbang) its cached jar and dependencies. */
        static String classpath() {
            String cp = System.getProperty("java.class.path", "");
            if (cp.isBlank()) {
                throw new UserException("cannot tell this Relay's classpath; give the command with --relay", ExitCodes.FAILURE);
            }
            return java.util.Arrays.stream(cp.split(java.io.File.pathSeparator))
                    .filter(e -> !e.isBlank())
                    .map(e -> Path.of(e).toAbsolutePath().toString())
                    .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        }

        static String quote(String s) {
            return "'" + s.replace("'", "'\\''") + "'";
        }

        String read(Path file) throws Exception {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Adds the Stop hook to the project's .claude/settings.json.",
                "It is merged with what is there (run again to update it); its timeout covers the wait plus 30 s."})
    static final class Install extends SettingsCommand {
        @Override
        public Integer call() throws Exception {
            Home home = home();
            Path file = settingsFile();
            String updated;
            try {
                updated = HookSettings.install(read(file), command(home), marker(home), waitSeconds + 30);
            } catch (IllegalArgumentException e) {
                throw new UserException(file + " " + e.getMessage() + "; fix it, then install again (nothing was changed)",
                        ExitCodes.FAILURE);
            }
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, updated);
            out().println("installed: Claude Code in " + file.getParent().getParent() + " reports to the relay in "
                    + home.root() + " as session " + session + " (waits up to " + waitSeconds + " s for each reply)");
            out().println("Claude Code ends a turn after 8 continuations in a row; CLAUDE_CODE_STOP_HOOK_BLOCK_CAP raises that.");
            if (relay == null && classpath().contains(java.io.File.pathSeparator)) {
                out().println("The hook runs this Relay's current build (" + classpath().split(java.io.File.pathSeparator).length
                        + " classpath entries, from jbang's cache): run `relay hook install` again after updating Relay,"
                        + " or give --relay 'jbang /path/to/jbang/relay.java'.");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true,
            description = "Removes exactly the Stop hook that `relay hook install` added for this home and --session.")
    static final class Uninstall extends SettingsCommand {
        @Override
        public Integer call() throws Exception {
            Home home = home();
            Path file = settingsFile();
            String before = read(file);
            String marker = marker(home);
            try {
                if (!HookSettings.installed(before, marker)) {
                    out().println("nothing to remove: " + file + " has no relay hook for session " + session + " of "
                            + home.root().toAbsolutePath());
                    return ExitCodes.OK;
                }
                AtomicFiles.write(file, HookSettings.uninstall(before, marker));
            } catch (IllegalArgumentException e) {
                throw new UserException(file + " " + e.getMessage() + "; nothing was changed", ExitCodes.FAILURE);
            }
            out().println("removed the relay hook for session " + session + " from " + file);
            return ExitCodes.OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = {"What Claude Code runs on its Stop event (installed by `relay hook install`).",
                "Reads the hook's JSON on stdin, and prints {\"decision\":\"block\",\"reason\":REPLY} when the coordinator"
                    + " answers in time.",
                "It fails open: on any problem Claude Code simply stops."})
    static final class Stop extends HomeCommand {
        @Option(names = "--session", required = true, paramLabel = "S")
        String session;

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "600")
        int waitSeconds;

        @Override
        public Integer call() {
            try {
                Home home = home();
                SessionId id = SessionId.of(session);
                StopInput input = StopInput.parse(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
                if (StopHook.report(home, id, input).isEmpty()) {
                    err().println("relay hook: no last message to report; Claude Code stops");
                    return ExitCodes.OK;
                }
                boolean live = new StatusFile(home.statusFile()).read().map(s -> StatusFile.isLive(s, Instant.now())).orElse(false);
                if (!live) {
                    err().println("relay hook: no relay is running in " + home.root() + "; the report waits in its queue");
                    return ExitCodes.OK;
                }
                Optional<String> reply = StopHook.awaitDispatch(home, id, Duration.ofSeconds(waitSeconds));
                if (reply.isPresent()) {
                    ObjectNode out = new ObjectMapper().createObjectNode();
                    out.put("decision", "block");
                    out.put("reason", reply.get());
                    out().println(out.toString());
                } else {
                    err().println("relay hook: no reply within " + waitSeconds + " s; Claude Code stops (the reply will wait"
                            + " in dispatch/" + session + "/)");
                }
            } catch (Exception e) {
                // a hook failure never traps the session
                err().println("relay hook: " + e.getMessage() + "; Claude Code stops");
            }
            return ExitCodes.OK;
        }
    }
}
