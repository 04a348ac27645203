package dev.relay.cli;

import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.monitor.FileOperatorActions;
import dev.relay.monitor.OperatorActions;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"An interactive chat with one container agent.",
            "Each line you type goes to it as a follow-up message (starting its container if none runs), and its results"
                + " and errors are printed as they arrive.",
            "Ctrl-D asks the agent to close (_close) and ends the chat; Ctrl-C ends the chat only.",
            "Line editing and history (kept in state/agent-SLUG.history) as in a shell."})
final class AgentCommand extends HomeCommand {
    @Parameters(paramLabel = "SLUG", description = "The agent: a session of config.yaml with kind: container.")
    String slug;

    @Override
    public Integer call() throws Exception {
        Home home = home();
        Settings settings = settings(false);
        if (!SessionId.isValid(slug) || !settings.isContainerSession(SessionId.of(slug))) {
            throw new UserException("no container agent \"" + slug + "\" in " + home.configFile()
                    + " (a session with kind: container); `relay agents` lists them", ExitCodes.USAGE);
        }
        OperatorActions actions = new FileOperatorActions(home);
        Path log = home.logsDir().resolve("agents").resolve(slug + ".log");
        if (System.console() == null) {
            plainChat(home, actions, log);   // a pipe (a script, a test): plain lines in, plain lines out
        } else {
            editedChat(home, actions, log);
        }
        return ExitCodes.OK;
    }

    /** A terminal: JLine's line editor, with history; the agent's output printed above the prompt. */
    private void editedChat(Home home, OperatorActions actions, Path log) throws Exception {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("relay")
                    .variable(LineReader.HISTORY_FILE, home.stateDir().resolve("agent-" + slug + ".history")).build();
            startFollowing(log, reader::printAbove);
            reader.printAbove("Chat with " + slug + ": each line goes to it; Ctrl-D asks it to close, Ctrl-C leaves.");
            while (true) {
                String line;
                try {
                    line = reader.readLine(slug + "> ");
                } catch (UserInterruptException e) {
                    break;
                } catch (EndOfFileException e) {
                    askToClose(home);
                    terminal.writer().println("asked " + slug + " to close");
                    terminal.flush();
                    break;
                }
                if (!line.isBlank()) {
                    send(actions, line.strip(), terminal.writer()::println);
                }
            }
        }
    }

    private void plainChat(Home home, OperatorActions actions, Path log) throws Exception {
        java.io.PrintWriter out = out();
        java.util.function.Consumer<String> print = text -> {
            synchronized (out) {
                out.println(text);
                out.flush();
            }
        };
        startFollowing(log, print);
        print.accept("Chat with " + slug + ": each line goes to it; end of input asks it to close.");
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.isBlank()) {
                send(actions, line.strip(), print);
            }
        }
        askToClose(home);
        print.accept("asked " + slug + " to close");
    }

    private void startFollowing(Path log, java.util.function.Consumer<String> print) {
        Thread follower = new Thread(() -> follow(log, print), "relay-agent-follow");
        follower.setDaemon(true);
        follower.start();
    }

    /** As `relay override "@SLUG: ..."`; an earlier override still waiting is waited for (a few seconds). */
    private void send(OperatorActions actions, String text, java.util.function.Consumer<String> print) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (true) {
            try {
                actions.sendTo(SessionId.of(slug), text);
                return;
            } catch (OperatorActions.Refused e) {
                if (System.currentTimeMillis() > deadline) {
                    print.accept("not sent: " + e.getMessage() + " (is the relay running? `relay status`)");
                    return;
                }
                Thread.sleep(100);
            }
        }
    }

    private void askToClose(Home home) throws IOException {
        Path input = Files.createDirectories(home.agentsDir().resolve(slug).resolve("ipc").resolve("input"));
        Files.writeString(input.resolve("_close"), "");
    }

    /** Prints the agent's results, errors and stderr from its log as they are written, above the prompt. */
    private void follow(Path log, java.util.function.Consumer<String> print) {
        long offset = -1;
        StringBuilder partial = new StringBuilder();
        while (true) {
            try {
                if (Files.exists(log)) {
                    long size = Files.size(log);
                    if (offset < 0 || size < offset) {
                        offset = offset < 0 ? size : 0;   // from now on; a rotated log from its start
                    }
                    if (size > offset) {
                        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
                            f.seek(offset);
                            byte[] bytes = new byte[(int) Math.min(size - offset, 1 << 20)];
                            f.readFully(bytes);
                            offset += bytes.length;
                            partial.append(new String(bytes, StandardCharsets.UTF_8));
                        }
                        int nl;
                        while ((nl = partial.indexOf("\n")) >= 0) {
                            show(partial.substring(0, nl), print);
                            partial.delete(0, nl + 1);
                        }
                    }
                } else {
                    offset = 0;
                }
                Thread.sleep(200);
            } catch (IOException e) {
                // the log is being rotated: read it again next time
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void show(String line, java.util.function.Consumer<String> print) {
        String[] parts = line.split(" ", 3);   // "<instant> out|err|result|error <text>"
        if (parts.length < 3) {
            return;
        }
        switch (parts[1]) {
            case "result" -> print.accept(parts[2]);
            case "error" -> print.accept("error: " + parts[2]);
            case "err" -> print.accept("  (stderr) " + parts[2]);
            default -> { }
        }
    }
}
