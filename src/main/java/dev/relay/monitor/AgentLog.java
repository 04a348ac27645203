package dev.relay.monitor;

import dev.relay.core.Home;
import dev.relay.core.SessionId;
import dev.relay.monitor.HomeSnapshot.LogLine;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A container agent's log, logs/agents/SLUG.log, as the supervisor writes it: lines of
 * {@code "<instant> out|err|result|error <text>"}. Read here for the console's logs pane and for `relay agent` alike.
 */
public final class AgentLog {
    private static final int MAX_INITIAL_BYTES = 256 << 10;
    private static final int CHAT_WINDOW = 100;

    private final LineTail<String> tail;

    private AgentLog(LineTail<String> tail) {
        this.tail = tail;
    }

    public static Path file(Home home, SessionId agent) {
        return home.logsDir().resolve("agents").resolve(agent.value() + ".log");
    }

    /**
     * Follows an agent's log for a chat from now on: what the log held already is not shown again, a log that
     * appears later (or replaces this one) is read from its start.
     */
    public static AgentLog followFromNow(Home home, SessionId agent) {
        Tail tail = new Tail(file(home, agent), MAX_INITIAL_BYTES);
        tail.skipToEnd();
        return new AgentLog(new LineTail<>(tail, CHAT_WINDOW, LineTail.OnReset.CLEAR, AgentLog::chatLine));
    }

    /** The lines written since the last call, as the chat shows them: results, errors and stderr. */
    public List<String> poll() {
        return tail.poll().added();
    }

    /** The console's window over an agent's log: its newest {@code cap} lines, any kind of output. */
    static LineTail<LogLine> consoleTail(Home home, SessionId agent, int cap) {
        return new LineTail<>(new Tail(file(home, agent), MAX_INITIAL_BYTES), cap, LineTail.OnReset.CLEAR,
                line -> Optional.of(consoleLine(line)));
    }

    /** "HH:MM:SS result: text" (or error:, or just the text for out and err); stderr and errors marked. */
    static LogLine consoleLine(String raw) {
        return Entry.parse(raw)
                .map(e -> new LogLine(shortTime(e.at) + switch (e.kind) {
                    case "result" -> " result: ";
                    case "error" -> " error: ";
                    default -> " ";
                } + e.text, e.kind.equals("err") || e.kind.equals("error")))
                .orElse(new LogLine(raw, false));
    }

    /** A result as it is, an error and stderr said so; other output (and a line of no known form) not shown. */
    static Optional<String> chatLine(String raw) {
        return Entry.parse(raw).flatMap(e -> switch (e.kind) {
            case "result" -> Optional.of(e.text);
            case "error" -> Optional.of("error: " + e.text);
            case "err" -> Optional.of("  (stderr) " + e.text);
            default -> Optional.empty();
        });
    }

    private static String shortTime(String instant) {
        int t = instant.indexOf('T');
        return t > 0 && instant.length() >= t + 9 ? instant.substring(t + 1, t + 9) : instant;
    }

    private record Entry(String at, String kind, String text) {
        static Optional<Entry> parse(String line) {
            String[] parts = line.split(" ", 3);
            return parts.length == 3 ? Optional.of(new Entry(parts[0], parts[1], parts[2])) : Optional.empty();
        }
    }
}
