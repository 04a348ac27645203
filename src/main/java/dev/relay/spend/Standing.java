package dev.relay.spend;

import dev.relay.config.Budgets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where one budget stands today: the day's total ({@link #TOTAL}) or one session's, what it spent against its limit
 * (the configured one, or the one raised for today) and whether that is fine, near ({@code warn_percent}) or over.
 */
public record Standing(String scope, double spentUsd, double limitUsd, Level level, int onceLeft) {
    public static final String TOTAL = "total";
    private static final String SESSION = "session:";

    public enum Level {
        OK, WARN, BRAKED;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static String sessionScope(String session) {
        return SESSION + session;
    }

    /** The session a session's scope is about; empty for the day's total. */
    public Optional<String> session() {
        return scope.startsWith(SESSION) ? Optional.of(scope.substring(SESSION.length())) : Optional.empty();
    }

    /** Whether it stops work now: over its limit with no turn let through left. */
    public boolean stops() {
        return level == Level.BRAKED && onceLeft == 0;
    }

    public double share() {
        return limitUsd <= 0 ? 0 : spentUsd / limitUsd;
    }

    /** "backend" or "the day's total", for what the operator reads. */
    public String name() {
        return session().map(s -> "session " + s).orElse("the day's total");
    }

    /** Every budget that is set, as it stands on {@code day}; sessions in id order after the total. */
    public static List<Standing> of(Budgets budgets, SpendBook.Day day, SpendBook book, Set<String> sessions) {
        List<Standing> out = new ArrayList<>();
        if (budgets.dailyUsd().isPresent()) {
            out.add(standing(TOTAL, day.totalUsd(), budgets.dailyUsd().get(), budgets, day, book));
        }
        Set<String> all = new TreeSet<>(sessions);
        all.addAll(budgets.sessions().keySet());
        day.lines().keySet().stream().filter(dev.relay.core.SessionId::isValid).forEach(all::add);
        for (String s : all) {
            if (!dev.relay.core.SessionId.isValid(s)) {
                continue;
            }
            Optional<Double> limit = budgets.limitFor(dev.relay.core.SessionId.of(s));
            if (limit.isPresent()) {
                out.add(standing(sessionScope(s), day.line(s).totalUsd(), limit.get(), budgets, day, book));
            }
        }
        return out;
    }

    private static Standing standing(String scope, double spent, double configured, Budgets budgets, SpendBook.Day day,
                                     SpendBook book) {
        double limit = book.raised(scope, day.date()).orElse(configured);
        Level level = spent >= limit ? Level.BRAKED : spent >= limit * budgets.warnPercent() / 100.0 ? Level.WARN : Level.OK;
        return new Standing(scope, spent, limit, level, book.onceLeft(scope, day.date()));
    }
}
