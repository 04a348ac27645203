package dev.relay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The benchmarks' figures: printed as BENCHMARK lines and appended to target/benchmarks.md (docs/BENCHMARKS.md). */
public final class BenchmarkReport {
    private static final Path REPORT = Path.of("target", "benchmarks.md");

    private BenchmarkReport() {}

    public static void line(String line) {
        System.out.println("BENCHMARK " + line);
        try {
            Files.createDirectories(REPORT.getParent());
            Files.writeString(REPORT, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
