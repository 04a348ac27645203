package dev.relay.tui;

import dev.relay.conversation.Turn;
import dev.relay.conversation.Usage;
import dev.relay.core.SessionId;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.inbox.Action;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Inbox.Raise;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.inbox.Source;
import dev.relay.monitor.HomeSnapshot;
import dev.relay.monitor.HomeSnapshot.LogLine;
import dev.relay.monitor.HomeSnapshot.QueuedItem;
import dev.relay.monitor.HomeSnapshot.WaitingReply;
import dev.relay.monitor.OperatorActions;
import dev.relay.queue.Rejection;
import dev.relay.state.AgentState;
import dev.relay.state.RelayState;
import dev.relay.state.Status;
import dev.relay.state.Status.SessionStatus;
import dev.relay.testing.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fixed homes for the console's tests, on a fixed clock. Times are local wall-clock times, so that the conversation's
 * clock (shown in the system's zone) reads the same on every machine.
 */
final class Fixtures {
    static final Instant NOW = local(10, 0, 0);
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private Fixtures() {}

    static Instant local(int hour, int minute, int second) {
        return LocalDateTime.of(2026, 11, 23, hour, minute, second).atZone(ZoneId.systemDefault()).toInstant();
    }

    static String ago(long seconds) {
        return NOW.minusSeconds(seconds).toString();
    }

    static List<SessionStatus> sessions() {
        return List.of(
                new SessionStatus("backend", "file", 0, false, ago(120), null, null, null, null, null, 0),
                new SessionStatus("frontend", "file", 1, true, ago(30), null, null, null, null, null, 0),
                new SessionStatus("docs", "claude-code", 0, false, ago(600), null, "authentication_failed", ago(500), null, null, 0),
                new SessionStatus("infra", "file", 2, false, null, null, null, null,
                        "refusing to write through a link: dispatch/infra", ago(60), 0),
                new SessionStatus("web", "container", 0, false, ago(5), null, null, null, null, null, 0));
    }

    /** A status.json with the given state; the rest as after a morning's work. */
    static Status status(String state, String detail, String needsJcAt, String needsJcText, String nextAttemptAt,
                         String lastError, boolean apiKey) {
        return new Status(4242, ago(3600), ago(1), RelayState.ofWire(state).orElse(null), detail, "claude-sonnet-4-5", needsJcAt, needsJcText, ago(40),
                "backend", 3, 95, 1, 1, 48_210, 14, 120_400, 9_870, 30_000, 90_000, 0.4321, 0.0123, "1h",
                nextAttemptAt, apiKey, "anthropic", "https://ntfy.sh/relay-test", lastError, sessions(), null, null);
    }

    static Status running() {
        return status("running", null, null, null, null, null, true);
    }

    static List<Turn> turns() {
        return List.of(
                Turn.summary("Earlier: the team agreed on the schema and split the work.", local(9, 0, 0)),
                Turn.user("backend", "migrated the users table; all tests pass", "id:a1", local(9, 41, 10)),
                Turn.assistant("Good. Next: add the index on email, then report.", "id:a1", local(9, 41, 15),
                        new Usage(1000, 1234, 0, 0, 0, 0, 0)),
                Turn.user(Turn.OPERATOR, "Hold the deploy until Friday.", "file:jc1", local(9, 50, 0)),
                Turn.assistant("Understood: the deploy waits for Friday.", "file:jc1", local(9, 50, 4), Usage.NONE),
                Turn.user("frontend", "login page ready\nscreenshots in docs/login.png", "id:b2", local(9, 58, 0)),
                Turn.assistant("Thanks. Please add a logout button next.", "id:b2", local(9, 58, 6),
                        new Usage(800, 420, 0, 0, 0, 0, 0)));
    }

    static List<LogLine> log() {
        return List.of(
                new LogLine("2026-11-23T08:59:58.410Z INFO  [main] RelayLoop: relay started", false),
                new LogLine("2026-11-23T09:41:15.002Z INFO  [relay-loop] RelayLoop: reply to backend written", false),
                new LogLine("2026-11-23T09:55:01.100Z WARN  [relay-loop] RelayLoop: rejected broken.json: not JSON", true),
                new LogLine("2026-11-23T09:58:06.500Z INFO  [relay-loop] RelayLoop: [frontend] reply held", false));
    }

    static HomeSnapshot home(Optional<Status> status, boolean live, Optional<String> pendingOverride,
                             List<LogLine> agentLog, Optional<String> runtimeProblem) {
        return new HomeSnapshot(7, NOW, status, live,
                List.of(new QueuedItem("0001.json", "frontend", NOW.minusSeconds(12), 512, "login page ready"),
                        new QueuedItem("0002.json", "?", NOW.minusSeconds(3), 2048, "(not yet readable)")),
                3,
                List.of(new Rejection("broken.json", Path.of("queue/.rejected/broken.json"), "is not valid JSON", NOW.minusSeconds(300))),
                1,
                List.of(new WaitingReply("backend", 1, true, "Good. Next: add the index")),
                turns(), log(), List.of("backend", "frontend", "docs", "infra", "web"), pendingOverride,
                Map.of("web", AgentState.RUNNING), agentLog, runtimeProblem, new Inbox.Data());
    }

    /** {@code s} with {@code inbox} for its inbox. */
    static HomeSnapshot withInbox(HomeSnapshot s, Inbox.Data inbox) {
        return new HomeSnapshot(s.version(), s.at(), s.status(), s.relayLive(), s.queue(), s.queueTotal(), s.rejected(),
                s.rejectedTotal(), s.waiting(), s.turns(), s.log(), s.sessions(), s.pendingOverride(), s.agentStates(),
                s.agentLog(), s.agentRuntimeProblem(), inbox);
    }

    static final String URGENT_CODE = "K7Q2M";
    static final String STUCK_CODE = "P4W9X";

    /**
     * An inbox file in {@code file} with two items, under fixed codes: the relay needs JC about backend (urgent, raised
     * 3 minutes ago), and a stuck queue (raised 12 minutes ago, twice, acknowledged from the phone).
     */
    static Inbox twoItems(Path file) {
        ManualClock clock = new ManualClock(NOW.minusSeconds(12 * 60));
        Inbox inbox = new Inbox(file, clock);
        Raise stuck = new Raise(Kind.STUCK_QUEUE, Severity.HIGH, "stuck_queue", Optional.empty(),
                "Queue stuck for 12 minutes", "3 envelopes wait and none was taken since 09:48: is the API key valid?");
        String stuckCode = inbox.raise(stuck).code();
        clock.advance(Duration.ofMinutes(5));
        inbox.raise(stuck);
        clock.advance(Duration.ofMinutes(3));
        inbox.act(Inbox.Request.of(stuckCode, Action.ACK, Source.PHONE));
        clock.set(NOW.minusSeconds(3 * 60));
        String urgentCode = inbox.raise(new Raise(Kind.NEEDS_JC, Severity.URGENT, "needs_jc:backend",
                Optional.of("backend"), "Relay needs JC", "Shall I drop the legacy table? It holds 2 GB of rows nobody"
                + " read since 2024. Say yes to drop it, or tell me what to keep.")).code();
        recode(file, Map.of(stuckCode, STUCK_CODE, urgentCode, URGENT_CODE));
        return inbox;
    }

    /** Items get random codes: a frame needs fixed ones. */
    static void recode(Path file, Map<String, String> codes) {
        try {
            String json = Files.readString(file);
            for (Map.Entry<String, String> c : codes.entrySet()) {
                json = json.replaceAll("\"code\"\\s*:\\s*\"" + c.getKey() + "\"", "\"code\" : \"" + c.getValue() + "\"");
            }
            Files.writeString(file, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Marks the phone's server unreachable since {@code since}, as the relay does when a push fails. */
    static void phoneUnreachable(Path file, Instant since, String error) {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = (ObjectNode) json.readTree(file.toFile());
            ObjectNode phone = root.putObject("phone");
            phone.put("unreachable_since", since.toString());
            phone.put("last_error", error);
            Files.writeString(file, json.writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A running relay in this console, with work in every pane, a failed and a blocked session. */
    static HomeSnapshot busy() {
        return home(Optional.of(running()), true, Optional.empty(), List.of(), Optional.empty());
    }

    static HomeSnapshot paused() {
        return home(Optional.of(status("paused", "paused by JC from the console", null, null, null, null, true)), true,
                Optional.of("Hold the deploy"), List.of(), Optional.empty());
    }

    static HomeSnapshot error() {
        return home(Optional.of(status("error", "the Messages API failed 3 times", null, null, ago(-45),
                        "HTTP 529 overloaded_error", false)), true, Optional.empty(), List.of(),
                Optional.of("Docker is unreachable at unix:///var/run/docker.sock"));
    }

    static HomeSnapshot needsJc() {
        return home(Optional.of(status("needs_jc", null, ago(90), "Shall I drop the legacy table? It holds 2 GB of"
                        + " rows nobody read since 2024.", null, null, true)), true, Optional.empty(), List.of(),
                Optional.empty());
    }

    static HomeSnapshot containerAgent() {
        return home(Optional.of(running()), true, Optional.empty(),
                List.of(new LogLine("09:00:01 compiling the login page", false),
                        new LogLine("09:00:02 warning: unused import", true)),
                Optional.empty());
    }

    static HomeSnapshot nothing() {
        return HomeSnapshot.empty(NOW);
    }

    /** Operator actions that only record what was asked. */
    static class Actions implements OperatorActions {
        final List<String> calls = new ArrayList<>();
        /** Where inbox actions go, if anywhere. */
        Optional<Inbox> inbox = Optional.empty();

        @Override
        public void override(String text) {
            calls.add("override " + text);
        }

        @Override
        public void pause() {
            calls.add("pause");
        }

        @Override
        public void resume() {
            calls.add("resume");
        }

        @Override
        public void sendTo(SessionId session, String text) {
            calls.add("send " + session + " " + text);
        }

        @Override
        public Inbox.Outcome act(Inbox.Request r) {
            calls.add(r.action().wire() + " " + r.code() + r.text().map(t -> " " + t).orElse("") + " " + r.source().wire());
            return inbox.map(i -> i.act(r)).orElseGet(() -> new Inbox.Outcome.Refused("no inbox here"));
        }
    }

    /** Operator actions whose override fails as a full disk would, and whose pause is refused. */
    static final class Failing extends Actions {
        @Override
        public void override(String text) {
            throw new IllegalStateException("disk full");
        }

        @Override
        public void pause() {
            throw new OperatorActions.Refused("cannot pause now");
        }
    }
}
