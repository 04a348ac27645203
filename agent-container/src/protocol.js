// The relay's side of the conversation: one JSON line on stdin to start, marked blocks on stdout.
// CONTRACT.md section 6 is the requirement; this file is the only place that knows its shapes.

export const OUTPUT_START = '---AGENT_OUTPUT_START---';
export const OUTPUT_END = '---AGENT_OUTPUT_END---';

/** Largest first line accepted; the prompt is a coordinator reply (envelopes are at most 1 MiB by default). */
export const MAX_FIRST_LINE_BYTES = 4 * 1024 * 1024;

// Same pattern as the relay's session ids (CONTRACT.md section 2); a slug becomes a path on the host.
const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
// Claude session ids are UUIDs; anything used as a file name must at least look like an id.
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** A first line that cannot be used. Its message never quotes the line, which carries secrets. */
export class ProtocolError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * Resolves with the first line of `stream` (without its newline) as soon as the newline arrives;
 * it never waits for end-of-file, because the relay keeps stdin open. The stream is left paused;
 * bytes after the newline are dropped. End-of-file before any newline ends the line there
 * (`printf` without `\n`).
 */
export function readFirstLine(stream, { maxBytes = MAX_FIRST_LINE_BYTES } = {}) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const finish = (err, line) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (chunk) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const nl = buf.indexOf(0x0a);
      if (nl === -1) {
        size += buf.length;
        if (size > maxBytes) {
          stream.pause();
          finish(new ProtocolError(`first line is longer than ${maxBytes} bytes`));
          return;
        }
        chunks.push(buf);
        return;
      }
      if (size + nl > maxBytes) {
        stream.pause();
        finish(new ProtocolError(`first line is longer than ${maxBytes} bytes`));
        return;
      }
      chunks.push(buf.subarray(0, nl));
      stream.pause();
      finish(null, stripCr(Buffer.concat(chunks).toString('utf8')));
    };
    const onEnd = () => {
      if (size === 0) finish(new ProtocolError('stdin ended before the first line'));
      else finish(null, stripCr(Buffer.concat(chunks).toString('utf8')));
    };
    const onError = (err) => finish(new ProtocolError(`cannot read stdin: ${err.code ?? err.message}`));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}

function stripCr(line) {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/**
 * Validates the start line: `{"prompt", "sessionId", "agentSlug", "agentName", "secrets"}`.
 * Unknown fields are ignored, as for envelopes. `agentName` falls back to the slug.
 */
export function parseStartLine(line) {
  let value;
  try {
    value = JSON.parse(line);
  } catch {
    // The parser's own message quotes the input, and the input carries secrets.
    throw new ProtocolError('first line is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ProtocolError('first line is not a JSON object');
  }
  const { prompt, sessionId = null, agentSlug, agentName, secrets = {} } = value;
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    throw new ProtocolError('"prompt" must be a non-empty string');
  }
  if (sessionId !== null && (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId))) {
    throw new ProtocolError('"sessionId" must be null or a session id (letters, digits, "-" and "_")');
  }
  if (typeof agentSlug !== 'string' || !SLUG.test(agentSlug)) {
    throw new ProtocolError('"agentSlug" must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$');
  }
  if (agentName !== undefined && agentName !== null && (typeof agentName !== 'string' || agentName.trim() === '')) {
    throw new ProtocolError('"agentName" must be a non-empty string when given');
  }
  if (secrets === null || typeof secrets !== 'object' || Array.isArray(secrets)) {
    throw new ProtocolError('"secrets" must be an object of NAME: "value"');
  }
  const cleanSecrets = {};
  for (const [name, secret] of Object.entries(secrets)) {
    if (!ENV_NAME.test(name)) throw new ProtocolError(`secret name ${JSON.stringify(name.slice(0, 64))} is not an environment variable name`);
    if (typeof secret !== 'string') throw new ProtocolError(`secret ${name} must be a string`);
    if (secret !== '') cleanSecrets[name] = secret;
  }
  return {
    prompt,
    sessionId,
    agentSlug,
    agentName: typeof agentName === 'string' ? agentName.trim() : agentSlug,
    secrets: cleanSecrets,
  };
}

export function isSessionId(id) {
  return typeof id === 'string' && SESSION_ID.test(id);
}

/** The `code` of an error block whose resumed session the SDK no longer has; the relay retries once with a fresh one. */
export const SESSION_NOT_FOUND = 'session_not_found';

// Claude Code's words when it cannot resume a session; only this file reads them, the relay reads the code.
const LOST_SESSION = /no conversation found with session id|session not found/i;

/** The error code for `text` (an SDK error or Claude Code's stderr) of a run that resumed a session, or null. */
export function errorCode(text, resumed) {
  return resumed && typeof text === 'string' && LOST_SESSION.test(text) ? SESSION_NOT_FOUND : null;
}

/**
 * Writes output blocks to the relay. Each block goes out in one write so that blocks never
 * interleave; `redact` runs over the texts so that no secret value reaches stdout.
 */
export class OutputWriter {
  constructor(stdout, redact = (text) => text) {
    this.stdout = stdout;
    this.redact = redact;
  }

  write({ status, result = null, newSessionId = null, error = null, code = null }) {
    const body = JSON.stringify({
      status,
      result: result === null ? null : this.redact(result),
      newSessionId,
      error: error === null ? null : this.redact(error),
      ...(code === null ? {} : { code }),
    });
    return new Promise((resolve) => {
      this.stdout.write(`${OUTPUT_START}\n${body}\n${OUTPUT_END}\n`, () => resolve());
    });
  }

  success(result, newSessionId) {
    return this.write({ status: 'success', result, newSessionId, error: null });
  }

  error(error, newSessionId = null, code = null) {
    return this.write({ status: 'error', result: null, newSessionId, error, code });
  }
}

/** Parses every complete block out of `text` (what a reader of stdout would do). */
export function parseOutputBlocks(text) {
  const blocks = [];
  const pattern = new RegExp(`${OUTPUT_START}\\n([\\s\\S]*?)\\n${OUTPUT_END}`, 'g');
  for (const match of text.matchAll(pattern)) blocks.push(JSON.parse(match[1]));
  return blocks;
}
