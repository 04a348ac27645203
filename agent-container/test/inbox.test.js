import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CLOSE_FILE, Inbox, isMessageFile } from '../src/inbox.js';
import { dropFile, listFiles, tempDirs } from './helpers.js';

const message = (text) => JSON.stringify({ type: 'message', text });

test('isMessageFile takes visible *.json only', () => {
  assert.equal(isMessageFile('1700000000000-ab.json'), true);
  assert.equal(isMessageFile('.1700000000000-ab.json'), false);
  assert.equal(isMessageFile('1700000000000-ab.json.tmp'), false);
  assert.equal(isMessageFile('notes.txt'), false);
});

test('prepare removes a stale _close and creates the directory', async (t) => {
  const { workspace } = await tempDirs(t);
  const dir = join(workspace, 'ipc', 'input');
  await dropFile(dir, CLOSE_FILE, '');
  await new Inbox(dir).prepare();
  assert.equal(existsSync(join(dir, CLOSE_FILE)), false);
  await new Inbox(join(workspace, 'other')).prepare();
  assert.ok(existsSync(join(workspace, 'other')));
});

test('messages yields in name order, deletes each after it is taken, and stops at _close', async (t) => {
  const { workspace } = await tempDirs(t);
  const dir = join(workspace, 'input');
  await dropFile(dir, '2-b.json', message('b'));
  await dropFile(dir, '1-a.json', message('a'));
  await dropFile(dir, CLOSE_FILE, '');
  await dropFile(dir, 'z-after-close.json', message('later'));

  const inbox = new Inbox(dir, { pollMs: 5 });
  const seen = [];
  for await (const text of inbox.messages()) {
    seen.push(text);
    if (text === 'a') assert.ok(existsSync(join(dir, '1-a.json')), 'not deleted before the next one is asked for');
  }
  assert.deepEqual(seen, ['a', 'b']);
  assert.deepEqual(await listFiles(dir), ['z-after-close.json'], 'taken files and _close are gone; the rest waits');
});

test('messages waits for files that arrive later', async (t) => {
  const { workspace } = await tempDirs(t);
  const dir = join(workspace, 'input');
  await mkdir(dir);
  const inbox = new Inbox(dir, { pollMs: 5 });
  const iterator = inbox.messages();
  const next = iterator.next();
  await dropFile(dir, '1-a.json', message('arrived'));
  assert.deepEqual(await next, { value: 'arrived', done: false });
  await dropFile(dir, CLOSE_FILE, '');
  assert.equal((await iterator.next()).done, true);
});

test('after stop is aborted, messages takes what is already there and returns', async (t) => {
  const { workspace } = await tempDirs(t);
  const dir = join(workspace, 'input');
  await mkdir(dir);
  const stop = new AbortController();
  const inbox = new Inbox(dir, { pollMs: 60_000 });
  const iterator = inbox.messages(stop.signal);
  const first = iterator.next();
  // The inbox is now in its (long) sleep; stopping wakes it, and it drains once.
  await dropFile(dir, '1-a.json', message('last one'));
  stop.abort();
  assert.deepEqual(await first, { value: 'last one', done: false });
  assert.equal((await iterator.next()).done, true);
});

test('an unusable file is moved to .rejected with a reason, and the next one is still taken', async (t) => {
  const { workspace } = await tempDirs(t);
  const dir = join(workspace, 'input');
  await dropFile(dir, '1-array.json', '[]');
  await dropFile(dir, '2-type.json', JSON.stringify({ type: 'other', text: 'x' }));
  await dropFile(dir, '3-blank.json', JSON.stringify({ type: 'message', text: ' ' }));
  await dropFile(dir, '4-good.json', message('good'));
  await mkdir(join(dir, '5-dir.json'));
  await dropFile(dir, CLOSE_FILE, '');
  const logged = [];
  const seen = [];
  for await (const text of new Inbox(dir, { pollMs: 5, log: (m) => logged.push(m) }).messages()) seen.push(text);
  assert.deepEqual(seen, ['good']);
  assert.deepEqual(await listFiles(join(dir, '.rejected')), [
    '1-array.json', '1-array.json.reason', '2-type.json', '2-type.json.reason', '3-blank.json', '3-blank.json.reason',
    '5-dir.json.reason',
  ]);
  assert.equal(logged.filter((m) => m.includes('put aside')).length, 4);
  assert.ok(existsSync(join(dir, '.rejected', '5-dir.json')), 'a directory named like a message is put aside too');
});

test('a missing input directory reads as empty', async (t) => {
  const { workspace } = await tempDirs(t);
  const inbox = new Inbox(join(workspace, 'absent'));
  assert.deepEqual(await inbox.list(), []);
});
