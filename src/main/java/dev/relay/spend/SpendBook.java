package dev.relay.spend;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.relay.conversation.Turn;
import dev.relay.conversation.Usage;
import dev.relay.files.AtomicFiles;
import dev.relay.files.IoCause;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code state/spend.json}: what each local day cost, line by line (a session, the operator, the summaries), the
 * coordinator's turns and the container agents' runs apart, with the day's tokens (so its cache-hit share) and why
 * the cache missed; and the budget's changes for the day (a limit raised, a turn let through once, the items raised).
 *
 * <p>Written without a sync as it changes and durably at {@link #flush()} (the loop flushes with its status, once a
 * second, and at once for what cannot be found again). Nothing is counted twice or lost: a coordinator turn is counted
 * by its key, and the turns of the journal a crash kept out of the book are counted at the next start
 * ({@link #reconcile}); an agent's result is counted against the running total its session last reported. Shared by
 * the loop's thread and the agents' thread, so every method is synchronized.
 */
public final class SpendBook {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            // the file's classes below are read and written by their fields alone
            .setVisibility(com.fasterxml.jackson.annotation.PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .setVisibility(com.fasterxml.jackson.annotation.PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
    /** How many days are kept. */
    static final int DAYS_KEPT = 62;
    /** How many coordinator turns' keys are remembered, so that a turn seen again is not counted again. */
    private static final int KEYS_KEPT = 1024;

    /** One line of a day: what the coordinator's turns charged to it and what its container agent reported. */
    public record Line(double coordinatorUsd, double agentUsd, int turns, int agentResults) {
        public double totalUsd() {
            return coordinatorUsd + agentUsd;
        }
    }

    /** A day's tokens over every coordinator call. */
    public record Tokens(long input, long output, long cacheWrite, long cacheRead) {
        public static final Tokens NONE = new Tokens(0, 0, 0, 0);

        /** The share of the prompt tokens read from the cache; empty when no prompt was sent. */
        public OptionalDouble cacheHitShare() {
            long prompt = input + cacheWrite + cacheRead;
            return prompt == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) cacheRead / prompt);
        }
    }

    /** One local day. */
    public record Day(LocalDate date, Map<String, Line> lines, Tokens tokens, int unpricedTurns, Map<String, Integer> cacheMisses) {
        public Day {
            lines = Collections.unmodifiableMap(new TreeMap<>(lines));
            cacheMisses = Collections.unmodifiableMap(new TreeMap<>(cacheMisses));
        }

        public static Day empty(LocalDate date) {
            return new Day(date, Map.of(), Tokens.NONE, 0, Map.of());
        }

        public double totalUsd() {
            return lines.values().stream().mapToDouble(Line::totalUsd).sum();
        }

        public double coordinatorUsd() {
            return lines.values().stream().mapToDouble(Line::coordinatorUsd).sum();
        }

        public double agentsUsd() {
            return lines.values().stream().mapToDouble(Line::agentUsd).sum();
        }

        public Line line(String who) {
            return lines.getOrDefault(who, new Line(0, 0, 0, 0));
        }
    }

    // ---- the file's shape

    static final class DayData {
        @JsonProperty("lines") TreeMap<String, LineData> lines = new TreeMap<>();
        @JsonProperty("input_tokens") long input;
        @JsonProperty("output_tokens") long output;
        @JsonProperty("cache_write_tokens") long cacheWrite;
        @JsonProperty("cache_read_tokens") long cacheRead;
        @JsonProperty("unpriced_turns") int unpriced;
        @JsonProperty("cache_misses") TreeMap<String, Integer> cacheMisses = new TreeMap<>();
    }

    static final class LineData {
        @JsonProperty("coordinator_usd") double coordinator;
        @JsonProperty("agent_usd") double agent;
        @JsonProperty("turns") int turns;
        @JsonProperty("agent_results") int agentResults;
    }

    /** The running total an agent's SDK session last reported. */
    static final class AgentTotal {
        @JsonProperty("sdk_session") String sdkSession;
        @JsonProperty("total_cost_usd") double total;
    }

    /** The budget's changes for one day: they lapse with it. */
    static final class Overrides {
        @JsonProperty("day") LocalDate day;
        @JsonProperty("raised") TreeMap<String, Double> raised = new TreeMap<>();
        @JsonProperty("once") TreeMap<String, Integer> once = new TreeMap<>();
        @JsonProperty("warned") TreeMap<String, Boolean> warned = new TreeMap<>();
        @JsonProperty("braked") TreeMap<String, Boolean> braked = new TreeMap<>();
    }

    static final class Data {
        @JsonProperty("version") int version = 1;
        @JsonProperty("days") TreeMap<LocalDate, DayData> days = new TreeMap<>();
        /** The keys of the coordinator turns counted, newest last. */
        @JsonProperty("counted") List<String> counted = new ArrayList<>();
        /** When the newest counted turn was answered: older turns of the journal are counted already. */
        @JsonProperty("counted_through") Instant countedThrough;
        @JsonProperty("agents") TreeMap<String, AgentTotal> agents = new TreeMap<>();
        @JsonProperty("overrides") Overrides overrides = new Overrides();
    }

    private final Path file;
    private final ZoneId zone;
    private final Data data;
    private final LinkedHashSet<String> counted;
    private long version;
    private boolean dirty;
    private final Optional<String> damage;

    private SpendBook(Path file, ZoneId zone, Data data, Optional<String> damage) {
        this.file = file;
        this.zone = zone;
        this.data = data;
        this.counted = new LinkedHashSet<>(data.counted);
        this.damage = damage;
    }

    /**
     * Opens the book; a file that cannot be read is moved aside (named in {@link #damage()}) and the book starts
     * again from the journal's turns.
     */
    public static SpendBook open(Path file, ZoneId zone) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            Data d = JSON.readValue(bytes, Data.class);
            return new SpendBook(file, zone, d == null ? new Data() : d, Optional.empty());
        } catch (NoSuchFileException e) {
            return new SpendBook(file, zone, new Data(), Optional.empty());
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".damaged-" + System.currentTimeMillis());
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                aside = file;
            }
            return new SpendBook(file, zone, new Data(), Optional.of(file + " could not be read (" + e.getMessage()
                    + "); it was moved to " + aside.getFileName() + " and the spend is counted again from the history"));
        }
    }

    public Optional<String> damage() {
        return damage;
    }

    public ZoneId zone() {
        return zone;
    }

    public LocalDate dayOf(Instant at) {
        return LocalDate.ofInstant(at, zone);
    }

    /** Grows with every change: whoever saw a version has seen everything before it. */
    public synchronized long version() {
        return version;
    }

    // ---- counting

    /**
     * Counts a coordinator turn's reply once, on the day it was answered: its cost to the lines it was charged to,
     * its tokens to the day; {@code cacheMiss} names why the prompt cache missed, when the API said so. False when
     * the turn was counted already.
     */
    public synchronized boolean countTurn(Turn reply, Map<String, Double> charges, Optional<String> cacheMiss) {
        if (reply.key().isEmpty() || !counted.add(reply.key())) {
            return false;
        }
        while (counted.size() > KEYS_KEPT) {
            counted.remove(counted.iterator().next());
        }
        DayData day = day(dayOf(reply.at()));
        Usage u = reply.usage();
        charges.forEach((who, usd) -> {
            LineData line = day.lines.computeIfAbsent(who, k -> new LineData());
            line.coordinator += usd;
            line.turns++;
        });
        day.input += u.inputTokens();
        day.output += u.outputTokens();
        day.cacheWrite += u.cacheCreationTokens();
        day.cacheRead += u.cacheReadTokens();
        if (u.unpriced()) {
            day.unpriced++;
        }
        cacheMiss.ifPresent(reason -> day.cacheMisses.merge(reason, 1, Integer::sum));
        if (data.countedThrough == null || reply.at().isAfter(data.countedThrough)) {
            data.countedThrough = reply.at();
        }
        changed();
        return true;
    }

    /** Counts a summary's own call (on the day it was made) to the summaries' line. */
    public synchronized void countSummary(Instant at, Usage usage) {
        DayData day = day(dayOf(at));
        LineData line = day.lines.computeIfAbsent(Turn.SUMMARY_CHARGE, k -> new LineData());
        line.coordinator += usage.costUsd();
        line.turns++;
        day.input += usage.inputTokens();
        day.output += usage.outputTokens();
        day.cacheWrite += usage.cacheCreationTokens();
        day.cacheRead += usage.cacheReadTokens();
        if (usage.unpriced()) {
            day.unpriced++;
        }
        changed();
    }

    /**
     * The coordinator turns of the journal answered after the newest one counted (a crash kept them out of the book):
     * counted now, each on its own day. Answers how many were.
     */
    public synchronized int reconcile(List<Turn> turns, java.util.function.Function<Turn, Map<String, Double>> chargesOf) {
        int found = 0;
        Instant through = data.countedThrough;
        for (Turn t : turns) {
            if (t.role() != Turn.Role.ASSISTANT || t.key().isEmpty() || counted.contains(t.key())) {
                continue;
            }
            if (through != null && t.at().isBefore(through)) {
                continue;   // older than the book: counted before its key was forgotten
            }
            if (countTurn(t, chargesOf.apply(t), Optional.empty())) {
                found++;
            }
        }
        return found;
    }

    /**
     * Counts what a container agent's result reported: {@code costUsd} to its session's line, unless the same running
     * total of the same SDK session was counted already (its output read twice). False when it was.
     */
    public synchronized boolean countAgent(String session, Optional<String> sdkSession, double costUsd, double totalUsd,
                                           Instant at) {
        AgentTotal last = data.agents.get(session);
        String sdk = sdkSession.orElse(null);
        if (last != null && java.util.Objects.equals(last.sdkSession, sdk) && last.total == totalUsd) {
            return false;
        }
        AgentTotal now = new AgentTotal();
        now.sdkSession = sdk;
        now.total = totalUsd;
        data.agents.put(session, now);
        LineData line = day(dayOf(at)).lines.computeIfAbsent(session, k -> new LineData());
        line.agent += Math.max(0, costUsd);
        line.agentResults++;
        changed();
        return true;
    }

    /** The running total the agent's SDK session last reported, if it is that session's. */
    public synchronized OptionalDouble agentTotal(String session, String sdkSession) {
        AgentTotal last = data.agents.get(session);
        return last != null && sdkSession != null && sdkSession.equals(last.sdkSession)
                ? OptionalDouble.of(last.total) : OptionalDouble.empty();
    }

    // ---- reading

    public synchronized Day day(Instant at) {
        return view(dayOf(at));
    }

    /** The last {@code n} days that cost anything, newest first. */
    public synchronized List<Day> recent(int n) {
        List<Day> out = new ArrayList<>();
        for (LocalDate d : data.days.descendingKeySet()) {
            if (out.size() >= n) {
                break;
            }
            out.add(view(d));
        }
        return out;
    }

    private Day view(LocalDate date) {
        DayData d = data.days.get(date);
        if (d == null) {
            return Day.empty(date);
        }
        Map<String, Line> lines = d.lines.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> new Line(e.getValue().coordinator, e.getValue().agent, e.getValue().turns, e.getValue().agentResults)));
        return new Day(date, lines, new Tokens(d.input, d.output, d.cacheWrite, d.cacheRead), d.unpriced, d.cacheMisses);
    }

    // ---- the day's budget changes

    /** The limit raised for today on {@code scope}, if it was. */
    public synchronized Optional<Double> raised(String scope, LocalDate today) {
        return Optional.ofNullable(overrides(today).raised.get(scope));
    }

    public synchronized void raise(String scope, double usd, LocalDate today) {
        overrides(today).raised.put(scope, usd);
        changed();
    }

    /** How many turns {@code scope} may still take today past its brake. */
    public synchronized int onceLeft(String scope, LocalDate today) {
        return overrides(today).once.getOrDefault(scope, 0);
    }

    public synchronized void grantOnce(String scope, LocalDate today) {
        overrides(today).once.merge(scope, 1, Integer::sum);
        changed();
    }

    /** Uses one of the turns let through past the brake; false when there was none. */
    public synchronized boolean useOnce(String scope, LocalDate today) {
        Overrides o = overrides(today);
        int left = o.once.getOrDefault(scope, 0);
        if (left <= 0) {
            return false;
        }
        if (left == 1) {
            o.once.remove(scope);
        } else {
            o.once.put(scope, left - 1);
        }
        changed();
        return true;
    }

    /** Marks a scope's item as raised today ({@code what}: "warned" or "braked"); false when it was already. */
    public synchronized boolean mark(String what, String scope, LocalDate today, boolean on) {
        TreeMap<String, Boolean> marks = "warned".equals(what) ? overrides(today).warned : overrides(today).braked;
        boolean was = marks.containsKey(scope);
        if (on == was) {
            return false;
        }
        if (on) {
            marks.put(scope, true);
        } else {
            marks.remove(scope);
        }
        changed();
        return true;
    }

    public synchronized boolean marked(String what, String scope, LocalDate today) {
        return ("warned".equals(what) ? overrides(today).warned : overrides(today).braked).containsKey(scope);
    }

    private Overrides overrides(LocalDate today) {
        if (!today.equals(data.overrides.day)) {
            data.overrides = new Overrides();   // a new day: yesterday's raised limits and passes lapse
            data.overrides.day = today;
        }
        return data.overrides;
    }

    // ---- writing

    private DayData day(LocalDate date) {
        DayData d = data.days.computeIfAbsent(date, k -> new DayData());
        while (data.days.size() > DAYS_KEPT) {
            data.days.pollFirstEntry();
        }
        return d;
    }

    private void changed() {
        version++;
        dirty = true;
    }

    /** Writes the book durably if it changed since it was last written. */
    public synchronized void flush() {
        if (!dirty) {
            return;
        }
        data.counted = new ArrayList<>(counted);
        try {
            AtomicFiles.write(file, JSON.writeValueAsBytes(data));
            dirty = false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file + ": " + IoCause.of(e), e);
        }
    }
}
