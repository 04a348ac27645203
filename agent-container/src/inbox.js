// Follow-up messages from the relay: /workspace/ipc/input/<millis>-<random>.json holding
// {"type": "message", "text": "..."}, and the file _close, which asks the agent to finish.

import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const CLOSE_FILE = '_close';
const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/** A message file is a visible *.json; writers use dot-names and *.tmp until they rename. */
export function isMessageFile(name) {
  return !name.startsWith('.') && !name.endsWith('.tmp') && name.endsWith('.json');
}

export class Inbox {
  /**
   * @param {string} dir      the ipc/input directory
   * @param {object} options  pollMs: how often to look; log: diagnostics (stderr)
   */
  constructor(dir, { pollMs = 500, log = () => {} } = {}) {
    this.dir = dir;
    this.rejectedDir = join(dir, '.rejected');
    this.pollMs = pollMs;
    this.log = log;
  }

  /** Creates the directory and removes a _close left by an earlier run, which is not meant for this one. */
  async prepare() {
    await mkdir(this.dir, { recursive: true });
    try {
      await rm(join(this.dir, CLOSE_FILE));
      this.log(`removed a stale ${CLOSE_FILE} from an earlier run`);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
  }

  /**
   * Yields the text of each follow-up, oldest name first, and returns when _close appears (which
   * it deletes) or, once `stop` is aborted, after taking what is already there. A file is deleted
   * when the consumer asks for the next message, that is once the SDK has taken this one: a
   * crash in between delivers it again rather than losing it.
   */
  async *messages(stop) {
    for (;;) {
      const names = await this.list();
      for (const name of names) {
        if (name === CLOSE_FILE) {
          await rm(join(this.dir, name), { force: true });
          this.log(`${CLOSE_FILE} received`);
          return;
        }
        const text = await this.take(name);
        if (text === null) continue;
        yield text;
        await rm(join(this.dir, name), { force: true });
      }
      if (stop?.aborted) return;
      try {
        await sleep(this.pollMs, undefined, { signal: stop });
      } catch (err) {
        if (err.name !== 'AbortError') throw err;
      }
    }
  }

  async list() {
    let entries;
    try {
      entries = await readdir(this.dir);
    } catch (err) {
      if (err.code === 'ENOENT') return [];
      throw err;
    }
    return entries.filter((name) => name === CLOSE_FILE || isMessageFile(name)).sort();
  }

  /** The text of one message file, or null when it is gone or had to be put aside. */
  async take(name) {
    const path = join(this.dir, name);
    let raw;
    try {
      const info = await stat(path);
      if (!info.isFile()) return this.reject(name, 'not a regular file');
      if (info.size > MAX_INPUT_BYTES) return this.reject(name, `larger than ${MAX_INPUT_BYTES} bytes`);
      raw = await readFile(path, 'utf8');
    } catch (err) {
      if (err.code === 'ENOENT') return null;
      throw err;
    }
    let value;
    try {
      value = JSON.parse(raw);
    } catch {
      return this.reject(name, 'not valid JSON');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return this.reject(name, 'not a JSON object');
    if (value.type !== 'message') return this.reject(name, 'type is not "message"');
    if (typeof value.text !== 'string' || value.text.trim() === '') return this.reject(name, 'text is not a non-empty string');
    return value.text;
  }

  /** Moves a file that can never be used to ipc/input/.rejected/ with NAME.reason beside it. */
  async reject(name, reason) {
    this.log(`input file ${name} put aside: ${reason}`);
    await mkdir(this.rejectedDir, { recursive: true });
    try {
      await rename(join(this.dir, name), join(this.rejectedDir, name));
    } catch (err) {
      if (err.code === 'ENOENT') return null;
      throw err;
    }
    await writeFile(join(this.rejectedDir, `${name}.reason`), `${reason}\n`);
    return null;
  }
}
