package dev.relay.cli;

import dev.relay.config.ConfigException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import picocli.CommandLine;

/** Entry point: builds the command line, and turns every error into one readable line and an exit code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(execute(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    public static int execute(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine(env);
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    static CommandLine commandLine(Map<String, String> env) {
        // The class, not an instance: picocli then builds `relay` itself through the factory too, so that it sees the
        // environment (RELAY_HOME, the secrets) as every subcommand does.
        CommandLine cli = new CommandLine(RelayCommand.class, new Factory(env));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof UserException u) {
                err.println("relay: " + u.getMessage());
                return u.exitCode();
            }
            if (e instanceof ConfigException c) {
                err.println("relay: configuration error: " + c.getMessage());
                return ExitCodes.FAILURE;
            }
            if (e instanceof UncheckedIOException io) {
                err.println("relay: " + io.getMessage());
                return ExitCodes.FAILURE;
            }
            err.println("relay: unexpected error: " + e);
            e.printStackTrace(err);
            return ExitCodes.FAILURE;
        });
        return cli;
    }

    /** Hands the process environment to every command (commands never read System.getenv themselves). */
    static final class Factory implements CommandLine.IFactory {
        private final Map<String, String> env;

        Factory(Map<String, String> env) {
            this.env = Map.copyOf(env);
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K instance = CommandLine.defaultFactory().create(cls);
            if (instance instanceof EnvAware aware) {
                aware.environment(env);
            }
            return instance;
        }
    }

    /** A command that reads the environment (RELAY_HOME, secrets). */
    interface EnvAware {
        void environment(Map<String, String> env);
    }
}
