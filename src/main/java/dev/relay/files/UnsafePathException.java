package dev.relay.files;

import java.io.IOException;
import java.nio.file.Path;

/** A path the relay was about to write leads out of its home (through a symbolic link, or by name). */
public final class UnsafePathException extends IOException {
    private final Path path;

    public UnsafePathException(Path path, String message) {
        super(message);
        this.path = path;
    }

    /** The path that was refused. */
    public Path path() {
        return path;
    }
}
