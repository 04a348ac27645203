import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transcript } from '../src/transcript.js';
import { listFiles, tempDirs } from './helpers.js';

const fixedNow = () => new Date('2026-01-02T03:04:05.006Z');

function transcript(dir) {
  return new Transcript(dir, { agentName: 'Docs', agentSlug: 'docs', redact: (s) => s.replaceAll('topsecret99', '[REDACTED]'), now: fixedNow });
}

test('entries wait for the session id, then land in <session id>.md in order, redacted', async (t) => {
  const { workspace } = await tempDirs(t);
  const dir = join(workspace, 'conversations');
  const log = transcript(dir);
  log.userMessage('question with topsecret99', false);
  log.setSession('s-1');
  log.result('success', 'answer');
  log.userMessage('more', true);
  log.result('error', 'it broke');
  await log.flush();
  assert.equal(
    await readFile(join(dir, 's-1.md'), 'utf8'),
    '# Conversation s-1\n\nAgent: Docs (docs)\n\n' +
      '### 2026-01-02T03:04:05.006Z relay\n\nquestion with [REDACTED]\n\n' +
      '### 2026-01-02T03:04:05.006Z Docs (docs)\n\nanswer\n\n' +
      '### 2026-01-02T03:04:05.006Z relay (follow-up)\n\nmore\n\n' +
      '### 2026-01-02T03:04:05.006Z Docs (docs): error\n\nit broke\n\n',
  );
});

test('a change of session id is noted and later entries go to the new file', async (t) => {
  const { workspace } = await tempDirs(t);
  const dir = join(workspace, 'conversations');
  const log = transcript(dir);
  log.setSession('old');
  log.userMessage('q', false);
  log.setSession('new');
  log.result('success', 'a');
  await log.flush();
  assert.deepEqual(await listFiles(dir), ['new.md', 'old.md']);
  assert.match(await readFile(join(dir, 'new.md'), 'utf8'), /Session continues as new \(was old\)\.[\s\S]*\n\na\n\n$/);
});

test('without a session id, flush uses the session being resumed, else a dated file', async (t) => {
  const { workspace } = await tempDirs(t);
  const dir = join(workspace, 'conversations');
  const resumed = transcript(dir);
  resumed.userMessage('q1', false);
  await resumed.flush('s-9');
  const fresh = transcript(dir);
  fresh.userMessage('q2', false);
  await fresh.flush(null);
  assert.deepEqual(await listFiles(dir), ['no-session-2026-01-02T03-04-05-006Z.md', 's-9.md']);
  assert.match(await readFile(join(dir, 'no-session-2026-01-02T03-04-05-006Z.md'), 'utf8'), /q2/);
});

test('session ids that are not plain ids never become file names', async (t) => {
  const { workspace } = await tempDirs(t);
  const dir = join(workspace, 'conversations');
  const log = transcript(dir);
  log.setSession('../escape');
  log.userMessage('q', false);
  await log.flush(null);
  assert.deepEqual(await listFiles(dir), ['no-session-2026-01-02T03-04-05-006Z.md']);
  assert.deepEqual(await listFiles(workspace), ['conversations/no-session-2026-01-02T03-04-05-006Z.md']);
});
