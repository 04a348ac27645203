package dev.relay.relay;

import dev.relay.config.Budgets;
import dev.relay.conversation.Turn;
import dev.relay.core.SessionId;
import dev.relay.inbox.Inbox;
import dev.relay.inbox.Kind;
import dev.relay.inbox.Severity;
import dev.relay.spend.SpendBook;
import dev.relay.spend.Standing;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The budgets (config.yaml {@code budgets:}) against the spend book, on the loop's thread: at {@code warn_percent} of
 * a limit one inbox item (and its push); at the limit the brake: the relay takes no envelope from that session (from
 * any, for the day's total) and its container agent starts no new run, an item of kind {@code budget} says so, with
 * actions to raise today's limit or to let one turn through. Held envelopes wait in queue/. A new local day lifts a
 * daily brake by itself; a brake stands over a restart, since the book is on disk.
 *
 * <p>The standings are published for the agents' thread ({@link #mayStartAgent}).
 */
final class BudgetKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(BudgetKeeper.class);
    static final String KEY_PREFIX = Kind.BUDGET.wire() + ":";
    private static final String WARN = "warn:";

    private final SpendBook book;
    private final InboxDriver inbox;
    private final Supplier<Budgets> budgets;
    private long seenVersion = -1;
    private LocalDate seenDay;
    private Budgets seenBudgets;
    private volatile List<Standing> standings = List.of();

    BudgetKeeper(SpendBook book, InboxDriver inbox, Supplier<Budgets> budgets) {
        this.book = book;
        this.inbox = inbox;
        this.budgets = budgets;
    }

    SpendBook book() {
        return book;
    }

    List<Standing> standings() {
        return standings;
    }

    LocalDate today(Instant now) {
        return book.dayOf(now);
    }

    /**
     * Looks at the budgets again when the spend, the day or the budgets changed: raises the items of what crossed a
     * line, resolves those whose cause is gone. True when a standing changed.
     */
    boolean check(Instant now, Supplier<Set<String>> sessions) {
        LocalDate today = today(now);
        Budgets b = budgets.get();
        if (book.version() == seenVersion && today.equals(seenDay) && b.equals(seenBudgets)) {
            return false;
        }
        if (seenDay != null && !today.equals(seenDay)) {
            LOG.info("a new day ({}): the daily budgets start again", today);
            inbox.clearKind(Kind.BUDGET, "a new day: the daily budgets start again");
        }
        seenDay = today;
        seenBudgets = b;
        List<Standing> now1 = Standing.of(b, book.day(now), book, sessions.get());
        for (Standing s : now1) {
            settle(s, today);
        }
        for (Standing old : standings) {
            if (now1.stream().noneMatch(s -> s.scope().equals(old.scope()))) {
                inbox.clear(KEY_PREFIX + old.scope(), "no budget is set for it any more");
                inbox.clear(KEY_PREFIX + WARN + old.scope(), "no budget is set for it any more");
            }
        }
        boolean changed = !now1.equals(standings);
        standings = List.copyOf(now1);
        seenVersion = book.version();
        return changed;
    }

    private void settle(Standing s, LocalDate today) {
        String brakeKey = KEY_PREFIX + s.scope();
        String warnKey = KEY_PREFIX + WARN + s.scope();
        if (s.level() == Standing.Level.BRAKED) {
            inbox.clear(warnKey, "the limit is reached");
            if (s.onceLeft() == 0 && book.mark("braked", s.scope(), today, true)) {
                LOG.warn("budget reached: {} spent {} of {} today; {}", s.name(), usd(s.spentUsd()), usd(s.limitUsd()),
                        stops(s));
                inbox.raise(new Inbox.Raise(Kind.BUDGET, Severity.URGENT, brakeKey, s.session(),
                        "Budget reached: " + s.session().map(x -> x + " stopped").orElse("the relay stopped"),
                        s.name().substring(0, 1).toUpperCase(Locale.ROOT) + s.name().substring(1) + " spent "
                                + usd(s.spentUsd()) + " of " + usd(s.limitUsd()) + " today: " + stops(s)
                                + ". Nothing is lost: the envelopes wait in queue/. Raise today's limit (relay raise CODE"
                                + " [USD]) or let one turn through (relay resume-once CODE); tomorrow it lifts by itself."));
            }
            return;
        }
        if (book.mark("braked", s.scope(), today, false)) {
            LOG.info("budget: {} is under its limit again ({} of {})", s.name(), usd(s.spentUsd()), usd(s.limitUsd()));
            inbox.clear(brakeKey, "under its limit again (" + usd(s.spentUsd()) + " of " + usd(s.limitUsd()) + ")");
        }
        if (s.level() == Standing.Level.WARN && book.mark("warned", s.scope(), today, true)) {
            int percent = (int) Math.floor(s.share() * 100);
            LOG.info("budget: {} at {}% of today's {}", s.name(), percent, usd(s.limitUsd()));
            inbox.raise(new Inbox.Raise(Kind.BUDGET, Severity.HIGH, warnKey, s.session(),
                    "Budget: " + s.session().orElse("the day's total") + " at " + percent + "% of " + usd(s.limitUsd()),
                    s.name().substring(0, 1).toUpperCase(Locale.ROOT) + s.name().substring(1) + " spent "
                            + usd(s.spentUsd()) + " of " + usd(s.limitUsd()) + " today. At the limit " + stops(s) + "."));
        }
    }

    private static String stops(Standing s) {
        return s.session().map(x -> "the relay takes no more of " + x + "'s reports and its agent starts no new run")
                .orElse("the relay takes no more reports and no agent starts a new run");
    }

    static String usd(double d) {
        return String.format(Locale.ROOT, "$%.2f", d);
    }

    /** Whether an envelope of {@code session} may be taken now. */
    boolean mayTake(SessionId session) {
        for (Standing s : standings) {
            if (s.stops() && (s.session().isEmpty() || s.session().get().equals(session.value()))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code session}'s container agent may start a new run (called on the agents' thread). */
    boolean mayStartAgent(SessionId session) {
        return mayTake(session);
    }

    /** An envelope of {@code session} was taken: a turn let through past a brake is used up. */
    void took(SessionId session, Instant now) {
        LocalDate today = today(now);
        for (Standing s : standings) {
            boolean applies = s.session().isEmpty() || s.session().get().equals(session.value());
            if (applies && s.level() == Standing.Level.BRAKED && s.onceLeft() > 0 && book.useOnce(s.scope(), today)) {
                LOG.info("budget: one turn of {} let through past the brake of {}", session, s.name());
                book.mark("braked", s.scope(), today, false);   // the brake stands again: a new item says so
            }
        }
    }

    /** The scope an item of kind budget is about, from its key. */
    static Optional<String> scopeOf(String key) {
        if (!key.startsWith(KEY_PREFIX)) {
            return Optional.empty();
        }
        String rest = key.substring(KEY_PREFIX.length());
        return Optional.of(rest.startsWith(WARN) ? rest.substring(WARN.length()) : rest);
    }

    /**
     * Raises today's limit of {@code scope}: to {@code text} dollars ("20"), by them ("+5"), or without text by the
     * configured limit once more. Answers what it did, for the receipt.
     */
    String raise(String scope, Optional<String> text, Instant now) {
        LocalDate today = today(now);
        Optional<Standing> s = standings.stream().filter(x -> x.scope().equals(scope)).findFirst();
        Budgets b = budgets.get();
        double configured = scope.equals(Standing.TOTAL) ? b.dailyUsd().orElse(0.0)
                : b.limitFor(SessionId.of(scope.substring("session:".length()))).orElse(0.0);
        double current = s.map(Standing::limitUsd).orElse(configured);
        double limit;
        try {
            limit = newLimit(current, configured, text);
        } catch (IllegalArgumentException e) {
            return " (not raised: " + e.getMessage() + ")";
        }
        book.raise(scope, limit, today);
        book.mark("warned", scope, today, false);
        LOG.info("budget: today's limit of {} raised from {} to {}", scope, usd(current), usd(limit));
        return ": today's limit is " + usd(limit);
    }

    /** The limit a raise gives; refuses an amount that is not one. */
    static double newLimit(double current, double configured, Optional<String> text) {
        if (text.isEmpty() || text.get().isBlank()) {
            return current + Math.max(configured, 0.01);
        }
        String t = text.get().strip().replace("$", "");
        boolean by = t.startsWith("+");
        double amount;
        try {
            amount = Double.parseDouble(by ? t.substring(1).strip() : t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text.get().strip() + "\" is not an amount of dollars (20, or +5)");
        }
        if (!(amount > 0) || Double.isInfinite(amount)) {
            throw new IllegalArgumentException("the amount must be more than 0");
        }
        double limit = by ? current + amount : amount;
        if (limit <= current) {
            throw new IllegalArgumentException(usd(limit) + " is not above today's limit of " + usd(current));
        }
        return limit;
    }

    /** Lets one more turn of {@code scope} through past its brake today. */
    String resumeOnce(String scope, Instant now) {
        book.grantOnce(scope, today(now));
        LOG.info("budget: one turn of {} may go past its brake", scope);
        return ": one turn may go past the brake";
    }

    /** Counts an answered turn's reply; the cache's miss, when the API said why. */
    void counted(Turn reply, Map<String, Double> charges, Optional<String> cacheMiss) {
        book.countTurn(reply, charges, cacheMiss);
    }

    /** The sessions a standing is about, for the status's list of sessions. */
    static Set<String> sessionsOf(List<Standing> standings) {
        Set<String> out = new java.util.TreeSet<>();
        standings.forEach(s -> s.session().ifPresent(out::add));
        return out;
    }

    /** For the status: the standings that stop work now. */
    List<Standing> stopping() {
        List<Standing> out = new ArrayList<>();
        for (Standing s : standings) {
            if (s.stops()) {
                out.add(s);
            }
        }
        return out;
    }
}
