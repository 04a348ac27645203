package dev.relay.config;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Per-model prices; a model id matches its own entry or the longest entry it starts with (dated ids). */
public final class PriceTable {
    private final Map<String, Price> prices;

    public PriceTable(Map<String, Price> prices) {
        this.prices = Map.copyOf(prices);
    }

    /** The table shipped in the jar, with {@code overrides} (from config.yaml) replacing whole entries. */
    public static PriceTable builtIn(Map<String, Price> overrides) {
        Map<String, Price> merged = new LinkedHashMap<>();
        try (InputStream in = PriceTable.class.getResourceAsStream("/dev/relay/prices.json")) {
            if (in == null) {
                throw new IllegalStateException("prices.json is missing from the jar");
            }
            merged.putAll(new ObjectMapper().readValue(in, new TypeReference<Map<String, Price>>() {}));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in price table", e);
        }
        merged.putAll(overrides);
        return new PriceTable(merged);
    }

    public Optional<Price> forModel(String model) {
        Price exact = prices.get(model);
        if (exact != null) {
            return Optional.of(exact);
        }
        return prices.keySet().stream()
                .filter(model::startsWith)
                .max(Comparator.comparingInt(String::length))
                .map(prices::get);
    }

    public Map<String, Price> entries() {
        return prices;
    }
}
