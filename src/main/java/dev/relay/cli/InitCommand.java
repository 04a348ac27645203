package dev.relay.cli;

import dev.relay.config.ConfigLoader;
import dev.relay.config.EnvFile;
import dev.relay.core.Home;
import dev.relay.files.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import picocli.CommandLine.Command;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Creates a commented config.yaml and a .env (mode 0600) in the home, and its directories.",
            "Existing files are never overwritten."})
final class InitCommand extends HomeCommand {
    @Override
    public Integer call() throws Exception {
        Home home = home();
        Files.createDirectories(home.root());
        for (var dir : new java.nio.file.Path[] {home.queueDir(), home.dispatchRoot(), home.stateDir(), home.logsDir()}) {
            AtomicFiles.ensurePrivateDirectory(dir);
        }
        if (Files.exists(home.configFile())) {
            out().println("kept     " + home.configFile() + " (already there)");
        } else {
            AtomicFiles.write(home.configFile(), ConfigLoader.resource("config-template.yaml"));
            Files.setPosixFilePermissions(home.configFile(), PosixFilePermissions.fromString("rw-r-----"));
            out().println("created  " + home.configFile());
        }
        if (Files.exists(home.envFile())) {
            out().println("kept     " + home.envFile() + " (already there)");
        } else {
            AtomicFiles.write(home.envFile(), ConfigLoader.resource("env-template"));
            out().println("created  " + home.envFile() + " (mode 0600)");
        }
        if (!EnvFile.read(home.envFile()).containsKey("NTFY_TOPIC")) {
            settings(true);
        }
        out().println();
        out().println("Next: put your ANTHROPIC_API_KEY in " + home.envFile() + ", list your sessions in config.yaml,");
        out().println("subscribe to `relay topic` in the ntfy app, and start the relay with `relay run`.");
        return ExitCodes.OK;
    }
}
