package dev.relay.relay;

import dev.relay.anthropic.ApiUsage;
import dev.relay.anthropic.CacheTtl;
import dev.relay.config.Price;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Chooses the history's cache lifetime from how far apart turns actually arrive: a 5-minute entry that
 * expires between turns costs 1.25x and saves nothing, so the choice minimises the expected input cost
 * over the recent gaps, for each lifetime and for no caching at all.
 */
public final class CachePlanner {
    private static final int WINDOW = 20;
    private final Deque<Duration> gaps = new ArrayDeque<>();
    private Instant lastCall;

    public void recordCall(Instant at) {
        if (lastCall != null) {
            Duration gap = Duration.between(lastCall, at);
            if (!gap.isNegative()) {
                gaps.addLast(gap);
                if (gaps.size() > WINDOW) {
                    gaps.removeFirst();
                }
            }
        }
        lastCall = at;
    }

    /**
     * @param cachedTokens the history a previous call could have cached (all but the newest turn)
     * @param newTokens    the newest turn, which is written to the cache either way
     */
    public CacheTtl choose(Price price, long cachedTokens, long newTokens) {
        if (gaps.isEmpty()) {
            return CacheTtl.FIVE_MINUTES;
        }
        double none = (cachedTokens + newTokens) * price.input();
        double five = expected(price.cacheRead(), price.cacheWrite5m(), CacheTtl.FIVE_MINUTES, cachedTokens, newTokens);
        double hour = expected(price.cacheRead(), price.cacheWrite1h(), CacheTtl.ONE_HOUR, cachedTokens, newTokens);
        if (five <= hour && five <= none) {
            return CacheTtl.FIVE_MINUTES;
        }
        return hour <= none ? CacheTtl.ONE_HOUR : CacheTtl.NONE;
    }

    private double expected(double read, double write, CacheTtl ttl, long cached, long fresh) {
        double total = 0;
        for (Duration gap : gaps) {
            boolean hit = gap.compareTo(ttl.lifetime()) < 0;
            total += hit ? cached * read + fresh * write : (cached + fresh) * write;
        }
        return total / gaps.size();
    }

    /** Dollars for one call, from the usage the API reported. */
    public static double cost(ApiUsage u, Price p) {
        double perToken = 1e-6;
        long unsplit = u.cacheCreationTokens() - u.cacheCreation5m() - u.cacheCreation1h();
        return perToken * (u.inputTokens() * p.input()
                + u.outputTokens() * p.output()
                + (u.cacheCreation5m() + Math.max(0, unsplit)) * p.cacheWrite5m()
                + u.cacheCreation1h() * p.cacheWrite1h()
                + u.cacheReadTokens() * p.cacheRead());
    }
}
