// Drives the real program (node src/main.js) as the relay would: one line on stdin, which stays
// open, files in the workspace, output blocks read from stdout. The SDK is the scripted fake.

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseOutputBlocks } from '../src/protocol.js';

const here = dirname(fileURLToPath(import.meta.url));
export const MAIN = join(here, '..', 'src', 'main.js');
export const FAKE_QUERY = join(here, 'fixtures', 'fake-query.js');
export const DEADLINE_MS = 10_000;

/** Polls `check` until it returns a truthy value; fails with `what` after the deadline. */
export async function waitFor(check, what, timeoutMs = DEADLINE_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A temporary workspace and, beside it (outside it), the fake's record directory. */
export async function tempDirs(t) {
  const root = await mkdtemp(join(tmpdir(), 'relay-agent-test-'));
  const workspace = join(root, 'workspace');
  const records = join(root, 'records');
  await mkdir(workspace);
  await mkdir(records);
  t.after(() => rm(root, { recursive: true, force: true }));
  return { root, workspace, records };
}

export function startLine(fields = {}) {
  return JSON.stringify({ prompt: 'hello', sessionId: null, agentSlug: 'docs', agentName: 'Docs agent', secrets: {}, ...fields });
}

export class Agent {
  constructor({ workspace, records, env = {} }, t) {
    this.workspace = workspace;
    this.records = records;
    this.stdout = '';
    this.stderr = '';
    this.child = spawn(process.execPath, [MAIN], {
      cwd: workspace,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME ?? tmpdir(),
        RELAY_WORKSPACE: workspace,
        RELAY_AGENT_FAKE_QUERY: FAKE_QUERY,
        RELAY_FAKE_RECORD_DIR: records,
        RELAY_INPUT_POLL_MS: '20',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.setEncoding('utf8').on('data', (d) => (this.stdout += d));
    this.child.stderr.setEncoding('utf8').on('data', (d) => (this.stderr += d));
    this.child.stdin.on('error', () => {});
    this.exit = null;
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    t?.after(() => {
      if (this.exit === null) this.child.kill('SIGKILL');
      return this.exited;
    });
  }

  /** Writes one line and leaves stdin open, as the relay does. */
  send(line) {
    this.child.stdin.write(`${line}\n`);
  }

  closeStdin() {
    this.child.stdin.end();
  }

  outputs() {
    return parseOutputBlocks(this.stdout);
  }

  async waitForOutputs(count) {
    await waitFor(() => this.outputs().length >= count || this.exit !== null, `${count} output block(s)`);
    const outputs = this.outputs();
    if (outputs.length < count) {
      throw new Error(`agent exited (${JSON.stringify(this.exit)}) after ${outputs.length} block(s); stderr:\n${this.stderr}`);
    }
    return outputs;
  }

  async waitForExit() {
    await waitFor(() => this.exit !== null, 'the agent to exit');
    return this.exit;
  }

  /** Drops a follow-up as the relay does: a dot-name .tmp, then a rename. */
  async dropInput(text, name = nextInputName()) {
    await dropFile(join(this.workspace, 'ipc', 'input'), name, JSON.stringify({ type: 'message', text }));
    return name;
  }

  async close() {
    await dropFile(join(this.workspace, 'ipc', 'input'), '_close', '');
  }

  async recordedOptions() {
    return JSON.parse(await readFile(join(this.records, 'options.json'), 'utf8'));
  }

  async release(name) {
    await writeFile(join(this.records, `release-${name}`), '');
  }
}

let inputCounter = 0;

/** `<millis>-<n>.json`, increasing even within one millisecond, so tests know the order. */
export function nextInputName() {
  inputCounter += 1;
  return `${Date.now()}-${String(inputCounter).padStart(6, '0')}.json`;
}

export async function dropFile(dir, name, content) {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${name}.tmp`);
  await writeFile(tmp, content);
  await rename(tmp, join(dir, name));
}

/** Every file under `dir`, as paths relative to it. */
export async function listFiles(dir) {
  const out = [];
  async function walk(sub) {
    let entries;
    try {
      entries = await readdir(join(dir, sub), { withFileTypes: true });
    } catch (err) {
      if (err.code === 'ENOENT') return;
      throw err;
    }
    for (const entry of entries) {
      const rel = sub ? join(sub, entry.name) : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else out.push(rel);
    }
  }
  await walk('');
  return out.sort();
}

export async function readJsonFiles(dir) {
  const names = (await listFiles(dir)).filter((n) => !n.includes('/'));
  return Promise.all(names.map(async (name) => ({ name, value: JSON.parse(await readFile(join(dir, name), 'utf8')) })));
}
