package dev.relay.agents.docker;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * A container's stdin: the start line once, zeroed as it is handed over, then nothing until closed. It never ends by
 * itself: docker-java's attach cannot half-close stdin, so the protocol is one line, not end-of-file.
 */
final class OneLineInput extends InputStream {
    private byte[] line;
    private int pos;
    private final CountDownLatch closed = new CountDownLatch(1);

    OneLineInput(byte[] line) {
        this.line = line;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        synchronized (this) {
            if (line != null && pos < line.length) {
                int n = Math.min(len, line.length - pos);
                System.arraycopy(line, pos, b, off, n);
                Arrays.fill(line, pos, pos + n, (byte) 0);
                pos += n;
                if (pos == line.length) {
                    line = null;
                }
                return n;
            }
        }
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (line != null) {
                Arrays.fill(line, (byte) 0);
                line = null;
            }
        }
        closed.countDown();
    }
}
