package dev.relay.monitor;

import dev.relay.agents.AgentLog;
import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.monitor.HomeSnapshot.LogLine;
import java.util.List;
import java.util.Optional;

/**
 * A container agent's log ({@link AgentLog}) as lines to show: in the console's logs pane, and in `relay agent`'s chat.
 */
public final class AgentLogLines {
    private static final int MAX_INITIAL_BYTES = 256 << 10;
    private static final int CHAT_WINDOW = 100;

    private final LineTail<String> tail;

    private AgentLogLines(LineTail<String> tail) {
        this.tail = tail;
    }

    /**
     * Follows an agent's log for a chat from now on: what the log held already is not shown again, a log that
     * appears later (or replaces this one) is read from its start.
     */
    public static AgentLogLines followFromNow(Home home, SessionId agent) {
        Tail tail = new Tail(AgentLog.file(home, agent), MAX_INITIAL_BYTES);
        tail.skipToEnd();
        return new AgentLogLines(new LineTail<>(tail, CHAT_WINDOW, LineTail.OnReset.CLEAR, AgentLogLines::chatLine));
    }

    /** The lines written since the last call, as the chat shows them: results, errors and stderr. */
    public List<String> poll() {
        return tail.poll().added();
    }

    /** The console's window over an agent's log: its newest {@code cap} lines, any kind of output. */
    static LineTail<LogLine> consoleTail(Home home, SessionId agent, int cap) {
        return new LineTail<>(new Tail(AgentLog.file(home, agent), MAX_INITIAL_BYTES), cap, LineTail.OnReset.CLEAR,
                line -> Optional.of(consoleLine(line)));
    }

    /** "HH:MM:SS result: text" (or error:, or just the text for out and err); stderr and errors marked. */
    static LogLine consoleLine(String raw) {
        return AgentLog.Entry.parse(raw)
                .map(e -> new LogLine(shortTime(e.at()) + switch (e.kind()) {
                    case RESULT -> " result: ";
                    case ERROR -> " error: ";
                    case OUT, ERR -> " ";
                } + e.text(), e.kind() == AgentLog.Kind.ERR || e.kind() == AgentLog.Kind.ERROR))
                .orElse(new LogLine(raw, false));
    }

    /** A result as it is, an error and stderr said so; other output (and a line of no known form) not shown. */
    static Optional<String> chatLine(String raw) {
        return AgentLog.Entry.parse(raw).flatMap(e -> switch (e.kind()) {
            case RESULT -> Optional.of(e.text());
            case ERROR -> Optional.of("error: " + e.text());
            case ERR -> Optional.of("  (stderr) " + e.text());
            case OUT -> Optional.empty();
        });
    }

    private static String shortTime(String instant) {
        int t = instant.indexOf('T');
        return t > 0 && instant.length() >= t + 9 ? instant.substring(t + 1, t + 9) : instant;
    }
}
