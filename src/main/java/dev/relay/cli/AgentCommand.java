package dev.relay.cli;

import dev.relay.agents.AgentWorkspace;
import dev.relay.config.SessionConfig;
import dev.relay.config.Settings;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.monitor.AgentLogLines;
import dev.relay.monitor.FileOperatorActions;
import dev.relay.monitor.OperatorActions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
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
    private static final Duration WAIT_FOR_PREVIOUS = Duration.ofSeconds(5);

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
        SessionConfig agent = settings.session(SessionId.of(slug)).orElseThrow();
        OperatorActions actions = new FileOperatorActions(home);
        if (System.console() == null) {
            plainChat(home, agent, actions);   // a pipe (a script, a test): plain lines in, plain lines out
        } else {
            editedChat(home, agent, actions);
        }
        return ExitCodes.OK;
    }

    /** A terminal: JLine's line editor, with history; the agent's output printed above the prompt. */
    private void editedChat(Home home, SessionConfig agent, OperatorActions actions) throws Exception {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("relay")
                    .variable(LineReader.HISTORY_FILE, home.agentHistoryFile(agent.id())).build();
            startFollowing(home, reader::printAbove);
            reader.printAbove("Chat with " + slug + ": each line goes to it; Ctrl-D asks it to close, Ctrl-C leaves.");
            while (true) {
                String line;
                try {
                    line = reader.readLine(slug + "> ");
                } catch (UserInterruptException e) {
                    break;
                } catch (EndOfFileException e) {
                    AgentWorkspace.askToClose(home, agent);
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

    private void plainChat(Home home, SessionConfig agent, OperatorActions actions) throws Exception {
        PrintWriter out = out();
        Consumer<String> print = text -> {
            synchronized (out) {
                out.println(text);
                out.flush();
            }
        };
        startFollowing(home, print);
        print.accept("Chat with " + slug + ": each line goes to it; end of input asks it to close.");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.isBlank()) {
                send(actions, line.strip(), print);
            }
        }
        AgentWorkspace.askToClose(home, agent);
        print.accept("asked " + slug + " to close");
    }

    private void startFollowing(Home home, Consumer<String> print) {
        AgentLogLines log = AgentLogLines.followFromNow(home, SessionId.of(slug));
        Thread follower = new Thread(() -> follow(log, print), "relay-agent-follow");
        follower.setDaemon(true);
        follower.start();
    }

    /** As `relay override "@SLUG: ..."`; an earlier override still waiting is waited for (a few seconds). */
    private void send(OperatorActions actions, String text, Consumer<String> print) throws InterruptedException {
        try {
            actions.sendTo(SessionId.of(slug), text, WAIT_FOR_PREVIOUS);
        } catch (OperatorActions.Refused e) {
            print.accept("not sent: " + e.getMessage() + " (is the relay running? `relay status`)");
        }
    }

    /** Prints the agent's results, errors and stderr as they are written to its log, above the prompt. */
    private static void follow(AgentLogLines log, Consumer<String> print) {
        while (true) {
            log.poll().forEach(print);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
