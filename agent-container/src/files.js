// Files the relay reads are complete or absent: written under a dot-name ending in .tmp (which
// the relay ignores), flushed, renamed, and the directory flushed (CONTRACT.md section 1).

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

let lastMillis = 0;

/**
 * `<millis>-<random>.json`, unique without coordination. The millis never repeat within this
 * process, so a reader sorting by name sees this agent's files in the order they were written
 * (a task taken, then completed, within one millisecond).
 */
export function timestampedName(now = Date.now()) {
  lastMillis = Math.max(now, lastMillis + 1);
  return `${lastMillis}-${randomBytes(6).toString('hex')}.json`;
}

/** Writes `value` as JSON into `dir` under a fresh timestamped name; returns the final path. */
export async function writeJsonAtomically(dir, value) {
  await mkdir(dir, { recursive: true });
  const name = timestampedName();
  const tmp = join(dir, `.${name}.tmp`);
  const target = join(dir, name);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(`${JSON.stringify(value)}\n`, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
  return target;
}

/** Makes a rename in `dir` durable. Some filesystems refuse to fsync a directory; that is not fatal. */
export async function syncDir(dir) {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes(err.code)) throw err;
  } finally {
    await handle?.close();
  }
}
