package dev.relay.testing;

import dev.relay.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

/** A `relay` command run in this JVM on a home, as a user types it, with what it printed. */
public final class RelayCli {
    public record Result(int code, String out, String err) {}

    private RelayCli() {}

    public static Result run(Path home, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, Map.of("RELAY_HOME", home.toString()), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
