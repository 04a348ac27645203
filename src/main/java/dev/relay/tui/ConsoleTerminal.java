package dev.relay.tui;

import com.googlecode.lanterna.terminal.ansi.UnixTerminal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;

/**
 * The console's terminal: Lanterna's Unix terminal with XON/XOFF flow control off as well, so that Ctrl-S reaches the
 * console as a key instead of stopping its output until Ctrl-Q. Ctrl-C is trapped (the console asks before quitting).
 * On close the terminal gets back exactly the settings it had ({@code stty -g}, saved before anything changed).
 */
public final class ConsoleTerminal extends UnixTerminal {
    public ConsoleTerminal(InputStream in, OutputStream out, Charset charset) throws IOException {
        super(in, out, charset, CtrlCBehaviour.TRAP);
    }

    // Lanterna calls these from its constructor (so no field of this class is set yet): raw mode right after saving
    // the settings with `stty -g`, so the ixon and ixoff it restores on close, or in its shutdown hook, are the user's.
    @Override
    protected void canonicalMode(boolean enabled) throws IOException {
        super.canonicalMode(enabled);
        if (!enabled) {
            runSTTYCommand("-ixon", "-ixoff");
        }
    }

    // Lanterna sets `intr ^C` again after restoring the saved settings, which already hold the user's own interrupt
    // character (one bound to another key would be lost); taking it away when the console starts is still its job.
    @Override
    protected void keyStrokeSignalsEnabled(boolean enabled) throws IOException {
        if (!enabled) {
            super.keyStrokeSignalsEnabled(false);
        }
    }
}
