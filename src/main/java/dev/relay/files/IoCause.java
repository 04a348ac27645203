package dev.relay.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * The operating system's words for an I/O failure ("Permission denied", "No space left on device"). Java's file
 * exceptions often carry only the path as their message (an {@link AccessDeniedException} says nothing else), which
 * is what an operator reading "cannot move X to Y: X" cannot act on.
 */
public final class IoCause {
    private IoCause() {}

    /** The cause of {@code e} in the words of strerror(3), without the path; never empty. */
    public static String of(Throwable e) {
        Throwable t = e;
        while (t instanceof UncheckedIOException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (t instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (t instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (t instanceof DirectoryNotEmptyException) {
            return "Directory not empty";
        }
        if (t instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (t instanceof NotLinkException) {
            return "Not a symbolic link";
        }
        if (t instanceof FileSystemException f && f.getReason() != null && !f.getReason().isBlank()) {
            return f.getReason();
        }
        if (t instanceof UnsafePathException u) {
            return u.getMessage();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /** An exception saying {@code what} failed, with the cause in the system's words, keeping {@code e} as cause. */
    public static UncheckedIOException wrap(String what, IOException e) {
        return new UncheckedIOException(what + ": " + of(e), e);
    }
}
