package dev.relay.inbox;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.relay.files.AtomicFiles;
import dev.relay.files.IoCause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's inbox, {@code state/inbox.json}: every item that needs the operator, the notifications still to be
 * pushed, and where the phone's reply topic was last read. Any process may change it (the relay, the console, a
 * command, the phone's listener): each change is one read-change-write under a lock ({@code state/inbox.lock}, an OS
 * lock, so across processes; and a lock per file within one), so two actions on one item are applied one after the
 * other and the second sees the first: the first wins. The file is replaced atomically, so a reader without the lock
 * sees one whole version.
 */
public final class Inbox {
    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
    private static final String CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final int CODE_LENGTH = 5;
    private static final int KEEP_RESOLVED = 200;
    private static final int KEEP_HANDLED = 200;
    private static final Duration DEFAULT_SNOOZE = Duration.ofHours(1);
    private static final DateTimeFormatter CLOCK_TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Path lockFile;
    private final Clock clock;

    public Inbox(Path file, Clock clock) {
        this.file = file;
        this.lockFile = file.resolveSibling("inbox.lock");
        this.clock = clock;
    }

    public Path file() {
        return file;
    }

    /** The local time of day of {@code at}, as receipts and refusals say it: "03:12". */
    public static String clockTime(Instant at) {
        return CLOCK_TIME.format(at.atZone(ZoneId.systemDefault()));
    }

    // ---------------------------------------------------------------- the file's content

    /** A notification still to be pushed that is not an item's own push: a receipt, or a plain alert. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE)
    public static final class Note {
        @JsonProperty("id") String id;
        @JsonProperty("code") String code;
        @JsonProperty("title") String title;
        @JsonProperty("message") String message;
        @JsonProperty("priority") int priority;
        @JsonProperty("tags") List<String> tags = new ArrayList<>();
        @JsonProperty("created_at") Instant createdAt;
        @JsonProperty("attempts") int attempts;
        @JsonProperty("next_at") Instant nextAt;

        Note() {}

        public String id() {
            return id;
        }

        public Optional<String> code() {
            return Optional.ofNullable(code);
        }

        public String title() {
            return title;
        }

        public String message() {
            return message;
        }

        public int priority() {
            return priority;
        }

        public List<String> tags() {
            return List.copyOf(tags);
        }

        public Instant createdAt() {
            return createdAt;
        }

        public int attempts() {
            return attempts;
        }

        public Instant nextAt() {
            return nextAt;
        }
    }

    /** Where the reply topic was read to: the last message handled, and the recent ones (a repeat is never applied). */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE)
    static final class Reply {
        @JsonProperty("since") String since;
        @JsonProperty("handled") List<String> handled = new ArrayList<>();
    }

    /** Whether the phone's server takes what the relay sends. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE)
    static final class Health {
        @JsonProperty("unreachable_since") Instant unreachableSince;
        @JsonProperty("last_error") String lastError;
        @JsonProperty("last_ok_at") Instant lastOkAt;
    }

    /** One version of the file. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE)
    public static final class Data {
        @JsonProperty("items") List<Item> items = new ArrayList<>();
        @JsonProperty("outgoing") List<Note> outgoing = new ArrayList<>();
        @JsonProperty("reply") Reply reply = new Reply();
        @JsonProperty("phone") Health phone = new Health();

        public List<Item> items() {
            return List.copyOf(items);
        }

        /** The items open to actions, most urgent first, then oldest first. */
        public List<Item> open() {
            return items.stream().filter(Item::isOpen).sorted(URGENCY).toList();
        }

        /** Open and not acknowledged or snoozed: what the footer counts. */
        public long waiting() {
            return items.stream().filter(i -> i.state() == Item.State.OPEN).count();
        }

        public Optional<Item> find(String code) {
            String c = code == null ? "" : code.strip().toUpperCase(Locale.ROOT);
            return items.stream().filter(i -> i.code.equals(c)).findFirst();
        }

        public List<Note> outgoing() {
            return List.copyOf(outgoing);
        }

        /** Since when the phone's server has not taken a notification; empty while it does. */
        public Optional<Instant> phoneUnreachableSince() {
            return Optional.ofNullable(phone.unreachableSince);
        }

        public Optional<String> phoneError() {
            return Optional.ofNullable(phone.lastError);
        }

        /** What waits to be pushed: items and notes. */
        public int pushesWaiting() {
            return (int) (outgoing.size() + items.stream().filter(i -> i.isOpen() && i.pushFailures > 0).count());
        }

        public Optional<String> replySince() {
            return Optional.ofNullable(reply.since);
        }
    }

    /** Most urgent first, then the oldest. */
    public static final Comparator<Item> URGENCY = Comparator.comparing(Item::severity).thenComparing(Item::createdAt)
            .thenComparing(Item::code);

    /** The file as it is now (empty when there is none); a damaged file reads as empty, and is set aside on the next change. */
    public Data read() {
        try {
            return parse(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return new Data();
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", file, IoCause.of(e));
            return new Data();
        }
    }

    private static Data parse(byte[] bytes) throws IOException {
        Data d = JSON.readValue(bytes, Data.class);
        return d == null ? new Data() : d;
    }

    /**
     * Reads, changes and writes the file under the lock; {@code change} answers what the caller gets back, and the
     * file is written only when it changed something ({@link Change#changed()}).
     */
    public <T> T update(Function<Change, T> change) {
        ReentrantLock inProcess = LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new ReentrantLock());
        inProcess.lock();
        try {
            AtomicFiles.ensurePrivateDirectory(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                Change c = new Change(load(), clock.instant());
                T result = change.apply(c);
                if (c.changed) {
                    c.prune();
                    AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c.data));
                }
                return result;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + file + ": " + IoCause.of(e), e);
        } finally {
            inProcess.unlock();
        }
    }

    /** The file's content under the lock; a damaged one is moved aside (kept for the operator) and the inbox starts empty. */
    private Data load() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Data();
        }
        try {
            return parse(bytes);
        } catch (IOException e) {
            Path aside = file.resolveSibling(file.getFileName() + ".damaged-" + clock.millis());
            AtomicFiles.move(file, aside);
            LOG.error("{} was damaged ({}); kept as {}, the inbox starts empty", file, e.getMessage(), aside.getFileName());
            return new Data();
        }
    }

    /** One change of the file, under its lock. */
    public final class Change {
        final Data data;
        final Instant now;
        boolean changed;

        Change(Data data, Instant now) {
            this.data = data;
            this.now = now;
        }

        public Data data() {
            return data;
        }

        public Instant now() {
            return now;
        }

        void touch() {
            changed = true;
        }

        /** Keeps the last resolved items (their history is the record of who did what), the oldest dropped first. */
        void prune() {
            List<Item> resolved = data.items.stream().filter(i -> !i.isOpen())
                    .sorted(Comparator.comparing((Item i) -> i.resolvedAt).reversed()).toList();
            for (int n = KEEP_RESOLVED; n < resolved.size(); n++) {
                data.items.remove(resolved.get(n));
            }
        }
    }

    // ---------------------------------------------------------------- raising and clearing

    /** What a new item says. {@code key} makes items identical: an open item with the same key is counted instead. */
    public record Raise(Kind kind, Severity severity, String key, Optional<String> session, String title, String text) {}

    /** Raises an item, or counts it again on the open item with its key; answers the item. */
    public Item raise(Raise r) {
        return update(c -> raise(c, r));
    }

    Item raise(Change c, Raise r) {
        c.touch();
        for (Item i : c.data.items) {
            if (i.isOpen() && i.key.equals(r.key())) {
                i.count++;
                i.updatedAt = c.now;
                i.text = r.text();
                i.title = r.title();
                return i;
            }
        }
        Item i = new Item();
        i.code = newCode(c.data);
        i.kind = r.kind().wire();
        i.severity = r.severity().wire();
        i.session = r.session().orElse(null);
        i.title = r.title();
        i.text = r.text();
        i.state = Item.State.OPEN.wire();
        i.createdAt = c.now;
        i.updatedAt = c.now;
        i.count = 1;
        i.key = r.key();
        i.nonce = nonce();
        i.nextPushAt = c.now;
        c.data.items.add(i);
        LOG.info("inbox: {} {} ({}){}", i.code, i.kind, r.title(), r.session().map(s -> " for " + s).orElse(""));
        return i;
    }

    /** Resolves the open items with {@code key}, their cause gone ({@code why}); answers how many. */
    public int clear(String key, String why) {
        return update(c -> {
            int n = 0;
            for (Item i : c.data.items) {
                if (i.isOpen() && i.key.equals(key)) {
                    resolve(c, i, why);
                    i.history.add(new Item.Entry(Action.RESOLVE, Source.RELAY, c.now, why, true));
                    LOG.info("inbox: {} resolved: {}", i.code, why);
                    n++;
                }
            }
            return n;
        });
    }

    private static void resolve(Change c, Item i, String resolution) {
        c.touch();
        i.state = Item.State.RESOLVED.wire();
        i.resolvedAt = c.now;
        i.resolution = resolution;
        i.nextPushAt = null;
        i.snoozedUntil = null;
        i.updatedAt = c.now;
    }

    // ---------------------------------------------------------------- acting

    /** An action asked for; {@code nonce} is the one-time value a phone button carried, when it came from one. */
    public record Request(String code, Action action, Optional<String> text, Source source, Optional<String> nonce) {
        public static Request of(String code, Action action, Source source) {
            return new Request(code, action, Optional.empty(), source, Optional.empty());
        }

        public static Request of(String code, Action action, String text, Source source) {
            return new Request(code, action, Optional.of(text), source, Optional.empty());
        }
    }

    /** What an action came to. */
    public sealed interface Outcome {
        /** Applied: the item as it is now, and the entry recording it. */
        record Applied(Item item, Item.Entry entry) implements Outcome {}

        /** Not applied: why, in a sentence for the operator. */
        record Refused(String reason) implements Outcome {}
    }

    /** Applies an action if its item is open and takes it: the first of two actions on one item wins. */
    public Outcome act(Request r) {
        return update(c -> act(c, r));
    }

    Outcome act(Change c, Request r) {
        Optional<Item> found = c.data.find(r.code());
        if (found.isEmpty()) {
            return new Outcome.Refused("there is no inbox item " + r.code() + " (`relay inbox` lists them)");
        }
        Item i = found.get();
        if (!i.isOpen()) {
            return new Outcome.Refused(i.code + " is no longer open: " + i.resolution);
        }
        if (r.action() == Action.ANSWER && i.kind() == Kind.BUDGET) {
            r = new Request(r.code(), Action.RAISE, r.text(), r.source(), r.nonce());   // "CODE: 20" sets today's limit
        }
        if (!i.takes(r.action())) {
            return new Outcome.Refused(i.code + " (" + i.kind + ") does not take " + r.action().wire() + "; it takes "
                    + i.kind().actions().stream().map(Action::wire).collect(Collectors.joining(", ")));
        }
        if (r.nonce().isPresent() && !r.nonce().get().equals(i.nonce)) {
            return new Outcome.Refused(i.code + ": the button's one-time value was already used or is not this item's");
        }
        String text = r.text().map(String::strip).filter(t -> !t.isEmpty()).orElse(null);
        if (r.action().needsText() && text == null) {
            return new Outcome.Refused(r.action().wire() + " needs text: what to tell the "
                    + (r.action() == Action.REJECT ? "coordinator" : "session"));
        }
        Duration snooze = r.action() != Action.SNOOZE || text == null ? DEFAULT_SNOOZE : Durations.parse(text).orElse(null);
        if (snooze == null) {
            return new Outcome.Refused("cannot snooze for \"" + text + "\": give a duration such as 30m or 2h");
        }
        c.touch();
        String when = clockTime(c.now);
        switch (r.action()) {
            case ACK, RESTART -> {
                i.state = Item.State.ACKNOWLEDGED.wire();
                i.nextPushAt = null;
                i.snoozedUntil = null;
            }
            case SNOOZE -> {
                Duration d = snooze;
                text = Durations.format(d);
                i.state = Item.State.SNOOZED.wire();
                i.snoozedUntil = c.now.plus(d);
                i.nextPushAt = i.snoozedUntil;
            }
            default -> resolve(c, i, r.action().done() + " " + r.source().from() + " at " + when);
        }
        i.updatedAt = c.now;
        i.nonce = nonce();
        Item.Entry entry = new Item.Entry(r.action(), r.source(), c.now, text, r.source() == Source.RELAY);
        i.history.add(entry);
        LOG.info("inbox: {} {} {}", i.code, r.action().wire(), r.source().from());
        return new Outcome.Applied(i, entry);
    }

    // ---------------------------------------------------------------- the phone's reply topic

    private static final java.util.regex.Pattern TEXT_ANSWER =
            java.util.regex.Pattern.compile("\\s*([A-Za-z0-9]{4,8})\\s*:\\s*(.+)", java.util.regex.Pattern.DOTALL);

    /**
     * Handles one message of the reply topic, once: a button's JSON ({@code code}, {@code action}, {@code nonce},
     * optionally {@code text}) or {@code CODE: text} for an answer. The message's id is recorded in the same write as
     * the action, so a message read again (a reconnect, a restart) is never applied twice. Empty for a repeat.
     */
    public Optional<Outcome> fromPhone(String messageId, String body) {
        return update(c -> {
            if (c.data.reply.handled.contains(messageId)) {
                return Optional.empty();
            }
            c.touch();
            c.data.reply.handled.add(messageId);
            while (c.data.reply.handled.size() > KEEP_HANDLED) {
                c.data.reply.handled.remove(0);
            }
            c.data.reply.since = messageId;
            return Optional.of(phoneRequest(body).map(r -> act(c, r)).orElseGet(() ->
                    new Outcome.Refused("not an action of Relay's and not CODE: text")));
        });
    }

    private static Optional<Request> phoneRequest(String body) {
        String b = body == null ? "" : body.strip();
        if (b.startsWith("{")) {
            try {
                com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(b);
                Optional<Action> action = Action.ofWire(n.path("action").asText(""));
                String code = n.path("code").asText("");
                String nonce = n.path("nonce").asText("");
                if (action.isEmpty() || code.isEmpty() || nonce.isEmpty()) {
                    return Optional.empty();
                }
                Optional<String> text = n.hasNonNull("text") ? Optional.of(n.get("text").asText()) : Optional.empty();
                return Optional.of(new Request(code, action.get(), text, Source.PHONE, Optional.of(nonce)));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        java.util.regex.Matcher m = TEXT_ANSWER.matcher(b);
        if (m.matches()) {
            return Optional.of(new Request(m.group(1), Action.ANSWER, Optional.of(m.group(2)), Source.PHONE, Optional.empty()));
        }
        return Optional.empty();
    }

    /** Remembers where the reply topic's stream began, when no message was ever handled: a restart reads on from there. */
    public void replyStreamOpened(long unixTime) {
        update(c -> {
            if (c.data.reply.since == null) {
                c.data.reply.since = Long.toString(unixTime);
                c.touch();
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- what the relay still has to do

    /** An action the relay has not yet carried out (and sent its receipt for). */
    public record Pending(Item item, int index, Item.Entry entry) {}

    /** The actions not yet carried out, oldest first. */
    public List<Pending> unapplied() {
        List<Pending> out = new ArrayList<>();
        for (Item i : read().items) {
            for (int n = 0; n < i.history.size(); n++) {
                if (!i.history.get(n).applied) {
                    out.add(new Pending(i, n, i.history.get(n)));
                }
            }
        }
        out.sort(Comparator.comparing((Pending p) -> p.entry().at()));
        return out;
    }

    /** Records an action as carried out, with its receipt to be pushed, in one write. */
    public void applied(Pending p, Optional<NoteText> receipt) {
        update(c -> {
            c.data.find(p.item().code()).ifPresent(i -> {
                if (p.index() < i.history.size()) {
                    i.history.get(p.index()).applied = true;
                    c.touch();
                }
            });
            receipt.ifPresent(r -> addNote(c, r, p.item().code()));
            return null;
        });
    }

    // ---------------------------------------------------------------- notes

    /** A notification's text. */
    public record NoteText(String title, String message, int priority, List<String> tags) {}

    /** Keeps a notification to be pushed (and retried until it goes). */
    public void note(NoteText text) {
        update(c -> {
            addNote(c, text, null);
            return null;
        });
    }

    private static void addNote(Change c, NoteText text, String code) {
        Note n = new Note();
        n.id = nonce().substring(0, 12);
        n.code = code;
        n.title = text.title();
        n.message = text.message();
        n.priority = text.priority();
        n.tags = new ArrayList<>(text.tags());
        n.createdAt = c.now;
        n.nextAt = c.now;
        c.data.outgoing.add(n);
        c.touch();
    }

    // ---------------------------------------------------------------- pushes

    /** Snoozed items whose time is up are open again (and pushed again: their next push is at that time). */
    void wakeSnoozed() {
        Instant now = clock.instant();
        boolean due = read().items.stream().anyMatch(i -> i.state() == Item.State.SNOOZED && !i.snoozedUntil.isAfter(now));
        if (!due) {
            return;
        }
        update(c -> {
            for (Item i : c.data.items) {
                if (i.state() == Item.State.SNOOZED && !i.snoozedUntil.isAfter(c.now)) {
                    i.state = Item.State.OPEN.wire();
                    i.snoozedUntil = null;
                    i.updatedAt = c.now;
                    c.touch();
                }
            }
            return null;
        });
    }

    /**
     * Records an item's push: taken, its next re-notification after {@code renotify} while it has had fewer than
     * {@code maxRenotify}; not taken, tried again after {@code retry}. An item changed meanwhile (acknowledged,
     * snoozed, resolved) keeps what the change set.
     */
    void pushed(String code, Instant pushedAt, boolean ok, String error, Duration renotify, int maxRenotify, Duration retry) {
        update(c -> {
            health(c, ok, error, pushedAt);
            c.data.find(code).ifPresent(i -> {
                c.touch();
                boolean stillDue = i.state() == Item.State.OPEN && i.nextPushAt != null && !i.nextPushAt.isAfter(pushedAt);
                if (ok) {
                    i.pushes++;
                    i.lastPushedAt = pushedAt;
                    i.pushFailures = 0;
                    if (stillDue) {
                        i.nextPushAt = i.pushes <= maxRenotify ? pushedAt.plus(renotify) : null;
                    }
                } else {
                    i.pushFailures++;
                    if (stillDue) {
                        i.nextPushAt = c.now.plus(retry);
                    }
                }
            });
            return null;
        });
    }

    /** Records a note's push: taken, it is gone; not taken, tried again after {@code retry}, or dropped when too old. */
    void notePushed(String id, boolean ok, String error, Duration retry, Duration keepFor) {
        update(c -> {
            health(c, ok, error, c.now);
            c.data.outgoing.removeIf(n -> {
                if (!n.id.equals(id)) {
                    return false;
                }
                if (ok) {
                    return true;
                }
                n.attempts++;
                n.nextAt = c.now.plus(retry);
                if (n.createdAt.plus(keepFor).isBefore(c.now)) {
                    LOG.warn("notification \"{}\" dropped: ntfy did not take it in {} ({} attempts)", n.title, keepFor, n.attempts);
                    return true;
                }
                return false;
            });
            return null;
        });
    }

    private static void health(Change c, boolean ok, String error, Instant at) {
        c.touch();
        if (ok) {
            c.data.phone.unreachableSince = null;
            c.data.phone.lastError = null;
            c.data.phone.lastOkAt = at;
        } else {
            if (c.data.phone.unreachableSince == null) {
                c.data.phone.unreachableSince = at;
            }
            c.data.phone.lastError = error;
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String newCode(Data data) {
        while (true) {
            StringBuilder b = new StringBuilder(CODE_LENGTH);
            for (int n = 0; n < CODE_LENGTH; n++) {
                b.append(CODE_ALPHABET.charAt(RANDOM.nextInt(CODE_ALPHABET.length())));
            }
            String code = b.toString();
            if (data.find(code).isEmpty()) {
                return code;
            }
        }
    }

    static String nonce() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
