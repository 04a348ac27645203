package dev.relay.claude;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Home;
import dev.relay.core.Keys;
import dev.relay.core.SessionId;
import dev.relay.queue.EnvelopeWriter;
import dev.relay.state.RelayState;
import dev.relay.state.Status;
import dev.relay.state.StatusFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What Relay's Claude Code hooks do, whether they run as `relay hook ...` or inside the running relay (its loopback
 * endpoint). The rules (README, "Connecting a Claude Code session"):
 * <ul>
 * <li>Stop: the last message becomes a report with an id of its own (two stops with the same words are two
 * reports); the hook then waits for the answer to that very report. Whatever else waits for the session (a late
 * answer to an earlier report, the operator's message) is handed over with it, each labelled for what it is, so the
 * session is never one answer behind. Nothing is taken that Claude Code would ignore: at its continuation cap the
 * hook takes nothing and lets the session stop.
 * <li>SessionStart: what waits is handed to the new (or resumed, or compacted) session.
 * <li>StopFailure: the API error the turn ended on is recorded for the relay to show and notify once.
 * </ul>
 */
public final class ClaudeHooks {
    /** Claude Code's own default for CLAUDE_CODE_STOP_HOOK_BLOCK_CAP. */
    public static final int DEFAULT_BLOCK_CAP = 8;
    private static final Duration START_SETTLE = Duration.ofSeconds(2);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a waiting hook sleeps until the relay may have delivered something (polling, or woken by the relay). */
    public interface Waiter {
        void await(SessionId session, Duration atMost) throws InterruptedException;

        Waiter POLLING = (session, atMost) -> Thread.sleep(Math.max(1, Math.min(50, atMost.toMillis())));
    }

    /**
     * A hook's result: what to print on stdout for Claude Code (nothing lets it go on as without the hook), a line
     * for the user and the log, and what to do once Claude Code has the output (the messages it holds are then
     * removed from dispatch/).
     */
    public record Outcome(Optional<String> output, String note, Runnable delivered) {
        static Outcome quiet(String note) {
            return new Outcome(Optional.empty(), note, () -> {});
        }
    }

    private final Home home;
    private final Clock clock;
    private final Waiter waiter;

    public ClaudeHooks(Home home, Clock clock, Waiter waiter) {
        this.home = home;
        this.clock = clock;
        this.waiter = waiter;
    }

    /** The cap from the variable Claude Code reads (unset or not a number: its default). */
    public static int blockCap(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_BLOCK_CAP;
        }
        try {
            return Math.max(0, Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            return DEFAULT_BLOCK_CAP;
        }
    }

    // ---------------------------------------------------------------- Stop

    public Outcome stop(SessionId session, HookInput in, int cap, Duration wait) throws InterruptedException {
        Path recordFile = home.claudeSessionFile(session);
        SessionRecord record = SessionRecord.read(recordFile);
        boolean sameRun = in.stopHookActive() && Objects.equals(record.claudeSession(), in.claudeSession())
                && (in.promptId().isEmpty() || in.promptId().get().equals(record.promptId()));
        int continuations = sameRun ? record.continuations() : 0;
        String promptId = in.promptId().orElse(null);
        Instant now = clock.instant();
        record = record.withFailure(null);   // this turn ended well

        Optional<String> message = in.message().filter(m -> !m.isBlank());
        Path envelope = null;
        String answerDigest = null;
        if (message.isPresent()) {
            String id = reportId(in.claudeSession());
            envelope = EnvelopeWriter.write(home.queueDir(), session, message.get(), Optional.of(id));
            answerDigest = Keys.digest("id:" + session.value() + ":" + id);
            record = record.withReport(new SessionRecord.Report(id, now.toString(), head(message.get()), answerDigest), now.toString());
        }
        if (continuations >= cap) {
            record.withContinuations(in.claudeSession(), promptId, continuations).write(recordFile);
            String note = "Claude Code's limit of " + cap + " hook continuations in a row is reached, so the session"
                    + " stops here; " + (envelope != null ? "its report went to the relay, and " : "")
                    + "what the relay sends will be handed to the next session in this project (or waits in dispatch/"
                    + session + "/)";
            return new Outcome(Optional.of(systemMessage("Relay: " + note)), note, () -> {});
        }

        Mailbox mailbox = new Mailbox(home, session, clock);
        List<Mailbox.Message> taken = mailbox.take();
        Optional<Status> live = liveRelay();
        String refused = null;
        if (envelope != null && live.isPresent() && !answered(taken, answerDigest)) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                waiter.await(session, Duration.ofNanos(left));
                taken = mailbox.take();
                if (answered(taken, answerDigest)) {
                    break;
                }
                refused = refusal(envelope).orElse(null);
                if (refused != null) {
                    break;
                }
                live = liveRelay();
                if (live.isEmpty()) {
                    break;
                }
                if (!taken.isEmpty() && heldForOperator(live.get(), envelope, answerDigest, mailbox)) {
                    break;   // the coordinator asked JC about this report: hand over what the operator sent meanwhile
                }
            }
        }

        if (taken.isEmpty()) {
            record.withContinuations(in.claudeSession(), promptId, continuations).write(recordFile);
            if (refused != null) {
                String note = "the relay refused this report: " + refused;
                return new Outcome(Optional.of(systemMessage("Relay: " + note)), note, () -> {});
            }
            if (envelope == null) {
                return Outcome.quiet("no last message to report; Claude Code stops");
            }
            if (live.isEmpty()) {
                return Outcome.quiet("no relay is running in " + home.root() + "; the report waits in its queue, and the"
                        + " answer will be handed to this session at its next stop or start");
            }
            return Outcome.quiet("no answer within " + wait.toSeconds() + " s; Claude Code stops, and the answer will be"
                    + " handed to this session at its next stop or start (meanwhile it waits in dispatch/" + session + "/)");
        }
        SessionRecord kept = record.withContinuations(in.claudeSession(), promptId, continuations + 1);
        kept.write(recordFile);
        ObjectNode out = JSON.createObjectNode();
        ObjectNode specific = out.putObject("hookSpecificOutput");
        specific.put("hookEventName", "Stop");
        specific.put("additionalContext", handover(taken, answerDigest, kept, false));
        if (refused != null) {
            out.put("systemMessage", "Relay: the relay refused this report: " + refused);
        }
        List<Mailbox.Message> handed = taken;
        boolean gotAnswer = answered(taken, answerDigest);
        return new Outcome(Optional.of(out.toString()), "handed over " + count(taken)
                + (gotAnswer ? "" : answerDigest != null ? "; the answer to this report comes later" : ""),
                () -> mailbox.handedOver(handed));
    }

    private static boolean answered(List<Mailbox.Message> taken, String digest) {
        return digest != null && taken.stream().anyMatch(m -> m.answers(digest));
    }

    private Optional<String> refusal(Path envelope) {
        Path reason = home.rejectedDir().resolve(envelope.getFileName() + ".reason");
        if (!Files.exists(reason)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(reason, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return Optional.of("(the reason could not be read: " + e.getMessage() + ")");
        }
    }

    /**
     * The coordinator answered this report by asking the operator (JC): the relay is in needs_jc, the report is no
     * longer queued, and no answer to it waits. Only the operator will answer now.
     */
    private boolean heldForOperator(Status status, Path envelope, String digest, Mailbox mailbox) {
        return status.state() == RelayState.NEEDS_JC && !Files.exists(envelope) && !mailbox.outboxHas(digest)
                && !mailbox.inputWaiting();
    }

    private Optional<Status> liveRelay() {
        Instant now = Instant.now();
        return new StatusFile(home.statusFile()).read().filter(s -> StatusFile.isLive(s, now));
    }

    private static String reportId(String claudeSession) {
        String prefix = claudeSession == null ? "" : claudeSession.replaceAll("[^A-Za-z0-9]", "");
        prefix = prefix.substring(0, Math.min(8, prefix.length()));
        return "cc-" + (prefix.isEmpty() ? "" : prefix + "-") + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    }

    // ---------------------------------------------------------------- SessionStart

    public Outcome sessionStart(SessionId session, HookInput in) throws InterruptedException {
        Path recordFile = home.claudeSessionFile(session);
        SessionRecord record = SessionRecord.read(recordFile);
        Mailbox mailbox = new Mailbox(home, session, clock);
        List<Mailbox.Message> taken = mailbox.take();
        if (liveRelay().isPresent()) {
            // the relay hands over one reply at a time: give it a moment to move the next ones into input.txt
            long deadline = System.nanoTime() + START_SETTLE.toNanos();
            while ((!mailbox.outboxEmpty() || mailbox.inputWaiting()) && System.nanoTime() < deadline) {
                waiter.await(session, Duration.ofMillis(100));
                taken = mailbox.take();
            }
        }
        record.withContinuations(in.claudeSession(), in.promptId().orElse(null), 0).write(recordFile);
        if (taken.isEmpty()) {
            return Outcome.quiet("nothing waits for session " + session);
        }
        ObjectNode out = JSON.createObjectNode();
        ObjectNode specific = out.putObject("hookSpecificOutput");
        specific.put("hookEventName", "SessionStart");
        specific.put("additionalContext", handover(taken, null, record, true));
        List<Mailbox.Message> handed = taken;
        return new Outcome(Optional.of(out.toString()), "handed " + count(handed) + " to the "
                + in.source().orElse("new") + " session", () -> mailbox.handedOver(handed));
    }

    // ---------------------------------------------------------------- StopFailure

    public Outcome stopFailure(SessionId session, HookInput in) {
        Path recordFile = home.claudeSessionFile(session);
        SessionRecord record = SessionRecord.read(recordFile);
        String now = clock.instant().toString();
        String error = in.error().orElse("unknown");
        String message = in.errorDetails().or(in::lastMessage).map(ClaudeHooks::oneLine).orElse("");
        SessionRecord.Failure before = record.failure();
        SessionRecord.Failure failure = before == null
                ? new SessionRecord.Failure(error, message, now, now, 1)
                : new SessionRecord.Failure(error, message, before.since(), now, before.count() + 1);
        record.withFailure(failure).write(recordFile);
        return Outcome.quiet("recorded that session " + session + " failed: " + failure.describe());
    }

    // ---------------------------------------------------------------- what the model reads

    /**
     * The messages as the model reads them: one answer to the last report alone, or each message numbered, oldest
     * first, with what it is (the answer, a late answer naming its report, the operator's words).
     */
    static String handover(List<Mailbox.Message> messages, String answerDigest, SessionRecord record, boolean atStart) {
        if (messages.size() == 1 && messages.get(0).answers(answerDigest)) {
            return "Relay: the coordinator's answer to your report:\n\n" + messages.get(0).text().strip();
        }
        StringBuilder b = new StringBuilder();
        b.append("Relay: ").append(count(messages)).append(" for this session")
                .append(atStart ? ", which came after its last turn ended" : "").append(", oldest first.\n");
        int i = 1;
        for (Mailbox.Message m : messages) {
            b.append('\n').append(i++).append(". ").append(label(m, answerDigest, record)).append(":\n")
                    .append(m.text().strip()).append('\n');
        }
        return b.toString().stripTrailing();
    }

    private static String label(Mailbox.Message m, String answerDigest, SessionRecord record) {
        String queued = m.queuedAtMillis() > 0 ? TIME.format(Instant.ofEpochMilli(m.queuedAtMillis())) : null;
        return switch (m.kind()) {
            case OPERATOR -> "From the operator (JC)" + (queued != null ? ", sent " + queued : "");
            case UNLABELLED -> "From the relay" + (queued != null ? ", taken " + queued : "");
            case REPLY -> {
                if (m.answers(answerDigest)) {
                    yield "The coordinator's answer to your report just now";
                }
                Optional<SessionRecord.Report> report = record.reports().stream()
                        .filter(r -> m.keyDigest().equals(r.answerKey()))
                        .findFirst();
                yield report.map(r -> "A late answer from the coordinator to your earlier report of "
                                + TIME.format(Instant.parse(r.at())) + " (\"" + r.head() + "\")")
                        .orElse("From the coordinator" + (queued != null ? ", sent " + queued : ""));
            }
        };
    }

    private static String count(List<?> messages) {
        return messages.size() == 1 ? "1 message" : messages.size() + " messages";
    }

    private static String head(String text) {
        String line = oneLine(text);
        return line.length() <= 60 ? line : line.substring(0, 57) + "...";
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    private static String systemMessage(String text) {
        ObjectNode out = JSON.createObjectNode();
        out.put("systemMessage", text);
        return out.toString();
    }
}
