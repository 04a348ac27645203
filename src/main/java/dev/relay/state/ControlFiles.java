package dev.relay.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** Commands for a running relay (pause, resume), as files in state/control/ taken in name order. */
public final class ControlFiles {
    public enum Command { PAUSE, RESUME }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    public ControlFiles(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path submit(Command command) {
        AtomicFiles.ensurePrivateDirectory(dir);
        String name = String.format("%013d-%06x.json", System.currentTimeMillis(), ThreadLocalRandom.current().nextInt(1 << 24));
        Path file = dir.resolve(name);
        AtomicFiles.write(file, "{\"command\":\"" + command.name().toLowerCase(Locale.ROOT) + "\"}\n");
        return file;
    }

    /** Takes every waiting command, oldest first, deleting each; unreadable files are dropped with the others. */
    public List<Command> take() {
        List<Command> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "[0-9]*.json")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        files.sort(null);
        for (Path f : files) {
            try {
                JsonNode n = JSON.readTree(f.toFile());
                out.add(Command.valueOf(n.path("command").asText("").toUpperCase(Locale.ROOT)));
            } catch (IOException | IllegalArgumentException e) {
                // a damaged command is ignored: pause/resume is re-issued by the operator, never guessed
            }
            AtomicFiles.delete(f);
        }
        return out;
    }
}
