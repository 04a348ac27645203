package dev.relay.inbox;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One thing that needs the operator. Changed only inside an {@link Inbox} update (under the inbox's lock); read-only
 * everywhere else. Its fields are the contract's (section 7) plus its history and its pushes.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class Item {
    public enum State {
        OPEN, ACKNOWLEDGED, SNOOZED, RESOLVED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One action on the item, from anywhere; {@code applied} once the relay has done what it asks and sent its receipt. */
    @JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
            isGetterVisibility = JsonAutoDetect.Visibility.NONE)
    public static final class Entry {
        @JsonProperty("action") String action;
        @JsonProperty("source") String source;
        @JsonProperty("at") Instant at;
        @JsonProperty("text") String text;
        @JsonProperty("applied") boolean applied;

        Entry() {}

        Entry(Action action, Source source, Instant at, String text, boolean applied) {
            this.action = action.wire();
            this.source = source.wire();
            this.at = at;
            this.text = text;
            this.applied = applied;
        }

        public Action action() {
            return Action.ofWire(action).orElseThrow();
        }

        public Source source() {
            return Source.valueOf(source.toUpperCase(java.util.Locale.ROOT));
        }

        public Instant at() {
            return at;
        }

        public Optional<String> text() {
            return Optional.ofNullable(text);
        }

        public boolean applied() {
            return applied;
        }
    }

    @JsonProperty("code") String code;
    @JsonProperty("kind") String kind;
    @JsonProperty("severity") String severity;
    @JsonProperty("session") String session;
    @JsonProperty("title") String title;
    @JsonProperty("text") String text;
    @JsonProperty("state") String state;
    @JsonProperty("created_at") Instant createdAt;
    @JsonProperty("updated_at") Instant updatedAt;
    @JsonProperty("count") int count;
    /** Identical open items are one: this names what makes them identical ("stuck_queue", "needs_jc:s1"). */
    @JsonProperty("key") String key;
    @JsonProperty("snoozed_until") Instant snoozedUntil;
    @JsonProperty("resolved_at") Instant resolvedAt;
    @JsonProperty("resolution") String resolution;
    @JsonProperty("history") List<Entry> history = new ArrayList<>();
    /** The one-time value the phone's buttons carry; a new one after every action. */
    @JsonProperty("nonce") String nonce;
    @JsonProperty("pushes") int pushes;
    @JsonProperty("last_pushed_at") Instant lastPushedAt;
    /** When it is pushed next (its first push, a retry, a re-notification); null: not again. */
    @JsonProperty("next_push_at") Instant nextPushAt;
    @JsonProperty("push_failures") int pushFailures;

    Item() {}

    public String code() {
        return code;
    }

    public Kind kind() {
        return Kind.ofWire(kind).orElseThrow(() -> new IllegalStateException("unknown kind " + kind));
    }

    public Severity severity() {
        return Severity.valueOf(severity.toUpperCase(java.util.Locale.ROOT));
    }

    public Optional<String> session() {
        return Optional.ofNullable(session);
    }

    public String title() {
        return title;
    }

    public String text() {
        return text;
    }

    public State state() {
        return State.valueOf(state.toUpperCase(java.util.Locale.ROOT));
    }

    /** Open to actions: open, acknowledged or snoozed. */
    @JsonIgnore
    public boolean isOpen() {
        return state() != State.RESOLVED;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    public int count() {
        return count;
    }

    public String key() {
        return key;
    }

    public Optional<Instant> snoozedUntil() {
        return Optional.ofNullable(snoozedUntil);
    }

    public Optional<Instant> resolvedAt() {
        return Optional.ofNullable(resolvedAt);
    }

    public Optional<String> resolution() {
        return Optional.ofNullable(resolution);
    }

    public List<Entry> history() {
        return List.copyOf(history);
    }

    public String nonce() {
        return nonce;
    }

    public int pushes() {
        return pushes;
    }

    public Optional<Instant> lastPushedAt() {
        return Optional.ofNullable(lastPushedAt);
    }

    public Optional<Instant> nextPushAt() {
        return Optional.ofNullable(nextPushAt);
    }

    public int pushFailures() {
        return pushFailures;
    }

    public boolean takes(Action action) {
        return kind().takes(action);
    }

    /** The last action that resolved it, if one did (not the relay's own resolving). */
    public Optional<Entry> resolvedBy() {
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).action().resolves()) {
                return Optional.of(history.get(i));
            }
        }
        return Optional.empty();
    }
}
