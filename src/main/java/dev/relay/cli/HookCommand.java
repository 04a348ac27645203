package dev.relay.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.claude.ClaudeHooks;
import dev.relay.claude.HookInput;
import dev.relay.claude.HookScript;
import dev.relay.claude.HookSettings;
import dev.relay.core.Home;
import dev.relay.core.Keys;
import dev.relay.core.SessionId;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `relay hook ...`: a Claude Code session as a file session, with no scripting of its own. */
@Command(name = "hook", mixinStandardHelpOptions = true,
        description = {"Connects a Claude Code session to the relay through Claude Code's hooks.",
            "",
            "When Claude Code stops, its last message goes to the coordinator as a report of session S; the hook waits"
                + " for the answer to that report and hands it to Claude Code as its next instruction, with anything"
                + " else that waits for S (the operator's messages, a late answer), each labelled. When a session starts"
                + " (new, resumed or compacted), what waits for S is handed to it. A turn that ends on an API error is"
                + " shown in `relay status` and the console, with one notification. If nothing comes in time, or no"
                + " relay runs, Claude Code stops as usual and nothing is lost.",
            "",
            "Claude Code ends a turn after 8 hook continuations in a row (CLAUDE_CODE_STOP_HOOK_BLOCK_CAP raises that);"
                + " at that limit the hook takes nothing and lets the session stop."},
        subcommands = {HookCommand.Install.class, HookCommand.Uninstall.class, HookCommand.Stop.class,
            HookCommand.SessionStart.class, HookCommand.StopFailure.class})
final class HookCommand implements Callable<Integer> {
    static final List<String> EVENTS = List.of("Stop", "SessionStart", "StopFailure");

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

        Path settingsFile() {
            Path dir = project != null ? project : Path.of("").toAbsolutePath();
            return dir.toAbsolutePath().resolve(".claude").resolve("settings.json");
        }

        SessionId sessionId() {
            try {
                return SessionId.of(session);
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage(), ExitCodes.USAGE);
            }
        }

        Predicate<String> ours(Home home) {
            String s = sessionId().value();
            return command -> HookScript.isOurs(command, home, s);
        }

        /** Where install keeps what the settings file was, so that uninstall can give back exactly those bytes. */
        Path backupFile(Home home) {
            return home.hookBackupFile(Keys.digest(settingsFile().toString(), session) + ".json");
        }

        static String read(Path file) throws IOException {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        }
    }

    /** install's record of a settings file: its text before the first install (null: there was none), and after. */
    record Backup(@JsonProperty("path") String path, @JsonProperty("original") String original,
            @JsonProperty("original_known") boolean originalKnown, @JsonProperty("installed") String installed) {
        private static final ObjectMapper JSON = new ObjectMapper();

        static Backup read(Path file) {
            try {
                return Files.exists(file) ? JSON.readValue(file.toFile(), Backup.class) : null;
            } catch (IOException e) {
                return null;
            }
        }

        void write(Path file) throws IOException {
            AtomicFiles.ensurePrivateDirectory(file.getParent());
            AtomicFiles.write(file, JSON.writeValueAsBytes(this));
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Adds Relay's Stop, SessionStart, StopFailure and PermissionRequest hooks to the project's .claude/settings.json.",
                "They are merged with what is there (run again to update them); the file keeps its permissions."
                    + " The Stop hook's timeout covers the wait plus 30 s."})
    static final class Install extends SettingsCommand {
        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "600",
                description = "How long the Stop hook waits for the coordinator's answer (default ${DEFAULT-VALUE}).")
        int waitSeconds;

        @Option(names = "--relay", paramLabel = "COMMAND",
                description = {"How the hook starts Relay when no relay answers on its endpoint (default: this very Relay:"
                    + " its java and classpath).",
                    "E.g. --relay 'jbang /opt/relay/jbang/relay.java' to follow a checkout as it is updated."})
        String relay;

        /** How long a permission prompt waits for a decision: config.yaml's permissions.timeout_s. */
        private int permissionSeconds() {
            return (int) settings(false).permissions().timeout().toSeconds();
        }

        @Override
        public Integer call() throws Exception {
            Home home = home();
            Path file = settingsFile();
            String session = sessionId().value();
            List<HookSettings.Hook> hooks = List.of(
                    new HookSettings.Hook("Stop", HookScript.command(home, "stop", session, waitSeconds), waitSeconds + 30),
                    new HookSettings.Hook("SessionStart", HookScript.command(home, "session-start", session, null), 30),
                    new HookSettings.Hook("StopFailure", HookScript.command(home, "stop-failure", session, null), 30),
                    new HookSettings.Hook("PermissionRequest", HookScript.command(home, "permission-request", session,
                            permissionSeconds()), permissionSeconds() + 30));
            String before = read(file);
            String updated;
            try {
                updated = HookSettings.install(before == null ? "" : before, hooks, ours(home));
            } catch (IllegalArgumentException e) {
                throw new UserException(file + " " + e.getMessage() + "; fix it, then install again (nothing was changed)",
                        ExitCodes.FAILURE);
            }
            AtomicFiles.ensurePrivateDirectory(home.hooksDir());
            Path script = home.hookScript();
            AtomicFiles.write(script, HookScript.text(home, launcher()));
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

            boolean changed = before == null || !HookSettings.sameSettings(before, updated);
            if (changed) {
                Backup old = Backup.read(backupFile(home));
                // the first install knows the original; a later one only if the file is still as that install left it
                Backup backup = old != null && before != null && before.equals(old.installed())
                        ? new Backup(file.toString(), old.original(), old.originalKnown(), updated)
                        : new Backup(file.toString(), before, !HookSettings.installed(before == null ? "" : before, ours(home)), updated);
                Files.createDirectories(file.getParent());
                AtomicFiles.writeKeepingMode(file, updated, PosixFilePermissions.fromString("rw-r--r--"));
                backup.write(backupFile(home));
            }
            out().println((changed ? "installed" : "already installed") + ": Claude Code in " + file.getParent().getParent()
                    + " reports to the relay in " + home.root() + " as session " + session + " (Stop, SessionStart and"
                    + " StopFailure hooks; each stop waits up to " + waitSeconds + " s for its answer)");
            out().println("Claude Code ends a turn after 8 continuations in a row; CLAUDE_CODE_STOP_HOOK_BLOCK_CAP raises that.");
            if (relay == null && classpath().contains(java.io.File.pathSeparator)) {
                out().println("With no relay running, the hook runs this Relay's current build (" + classpath().split(java.io.File.pathSeparator).length
                        + " classpath entries, from jbang's cache): run `relay hook install` again after updating Relay,"
                        + " or give --relay 'jbang /path/to/jbang/relay.java'.");
            }
            return ExitCodes.OK;
        }

        String launcher() {
            if (relay != null && !relay.isBlank()) {
                return relay.strip();
            }
            String java = ProcessHandle.current().info().command().orElse("java");
            return HookScript.quote(java) + " -Xshare:auto -XX:TieredStopAtLevel=1 -cp " + HookScript.quote(classpath())
                    + " " + Main.class.getName();
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
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true,
            description = {"Removes exactly the hooks that `relay hook install` added for this home and --session.",
                "If the file is as install left it, it gets back the very bytes it had before (or is removed, if"
                    + " install created it)."})
    static final class Uninstall extends SettingsCommand {
        @Override
        public Integer call() throws Exception {
            Home home = home();
            Path file = settingsFile();
            String before = read(file);
            Path backupFile = backupFile(home);
            Backup backup = Backup.read(backupFile);
            try {
                if (before == null || !HookSettings.installed(before, ours(home))) {
                    out().println("nothing to remove: " + file + " has no relay hook for session " + session + " of "
                            + home.root());
                    AtomicFiles.deleteQuietly(backupFile);
                    return ExitCodes.OK;
                }
                if (backup != null && backup.originalKnown() && before.equals(backup.installed())) {
                    if (backup.original() == null) {
                        Files.delete(file);
                        try {
                            Files.deleteIfExists(file.getParent());   // only if install left it empty
                        } catch (java.nio.file.DirectoryNotEmptyException e) {
                            // other files of the user's live there
                        }
                    } else {
                        AtomicFiles.writeKeepingMode(file, backup.original(), PosixFilePermissions.fromString("rw-r--r--"));
                    }
                } else {
                    AtomicFiles.writeKeepingMode(file, HookSettings.uninstall(before, ours(home)),
                            PosixFilePermissions.fromString("rw-r--r--"));
                }
            } catch (IllegalArgumentException e) {
                throw new UserException(file + " " + e.getMessage() + "; nothing was changed", ExitCodes.FAILURE);
            }
            AtomicFiles.deleteQuietly(backupFile);
            out().println("removed the relay hooks for session " + session + " from " + file);
            return ExitCodes.OK;
        }
    }

    /** What the three hook commands share: they read Claude Code's input on stdin and never fail the session. */
    abstract static class HookRun extends HomeCommand {
        @Option(names = "--session", required = true, paramLabel = "S")
        String session;

        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "600",
                description = "How long a Stop hook waits for the answer (default ${DEFAULT-VALUE}).")
        int waitSeconds;

        abstract ClaudeHooks.Outcome run(ClaudeHooks hooks, SessionId session, HookInput input) throws Exception;

        @Override
        public Integer call() {
            try {
                Home home = home();
                SessionId id = SessionId.of(session);
                HookInput input = HookInput.parse(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
                ClaudeHooks.Outcome outcome = run(new ClaudeHooks(home, Clock.systemUTC(), ClaudeHooks.Waiter.POLLING), id, input);
                outcome.output().ifPresent(o -> out().println(o));
                out().flush();
                if (out().checkError()) {
                    err().println("relay hook: Claude Code did not take the output; the messages stay for the next hook");
                } else {
                    outcome.delivered().run();
                }
                err().println("relay hook: " + outcome.note());
            } catch (Exception e) {
                // a hook failure never traps the session
                err().println("relay hook: " + e.getMessage() + "; Claude Code goes on as without the hook");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = {"What Claude Code runs on its Stop event (installed by `relay hook install`).",
                "Reads the hook's JSON on stdin; prints Claude Code's hookSpecificOutput with the coordinator's answer"
                    + " (and whatever else waits for the session) when it comes in time. It fails open: on any problem"
                    + " Claude Code simply stops."})
    static final class Stop extends HookRun {
        @Override
        ClaudeHooks.Outcome run(ClaudeHooks hooks, SessionId session, HookInput input) throws Exception {
            return hooks.stop(session, input, ClaudeHooks.blockCap(env.get("CLAUDE_CODE_STOP_HOOK_BLOCK_CAP")),
                    Duration.ofSeconds(Math.max(0, waitSeconds)));
        }
    }

    @Command(name = "session-start", mixinStandardHelpOptions = true,
            description = "What Claude Code runs when a session starts: hands it what waits for the relay session.")
    static final class SessionStart extends HookRun {
        @Override
        ClaudeHooks.Outcome run(ClaudeHooks hooks, SessionId session, HookInput input) throws Exception {
            return hooks.sessionStart(session, input);
        }
    }

    @Command(name = "stop-failure", mixinStandardHelpOptions = true,
            description = "What Claude Code runs when a turn ends on an API error: records it for `relay status` and the console.")
    static final class StopFailure extends HookRun {
        @Override
        ClaudeHooks.Outcome run(ClaudeHooks hooks, SessionId session, HookInput input) {
            return hooks.stopFailure(session, input);
        }
    }
}
