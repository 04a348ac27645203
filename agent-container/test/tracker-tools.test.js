import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { timestampedName, writeJsonAtomically } from '../src/files.js';
import { TRACKER_TOOLS, callTrackerTool, createTrackerServer } from '../src/tracker-tools.js';
import { listFiles, tempDirs } from './helpers.js';

const tool = (name) => TRACKER_TOOLS.find((d) => d.name === name);

function context(ipcDir) {
  const logged = [];
  return { ipcDir, agentName: 'Docs agent', redact: (s) => s.replaceAll('hunter2hunter2', '[REDACTED]'), log: (m) => logged.push(m), logged };
}

test('the MCP server lists exactly the five tracker tools with their argument schemas', async (t) => {
  const { workspace } = await tempDirs(t);
  const server = createTrackerServer(context(join(workspace, 'ipc')));
  assert.equal(server.type, 'sdk');
  assert.equal(server.name, 'tracker');
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.instance.connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  t.after(() => client.close());
  const { tools } = await client.listTools();
  assert.deepEqual(
    tools.map((x) => [x.name, Object.keys(x.inputSchema.properties).sort(), [...x.inputSchema.required].sort()]),
    [
      ['send_chat_message', ['chat_id', 'content'], ['chat_id', 'content']],
      ['update_task_status', ['status', 'task_id'], ['status', 'task_id']],
      ['comment_on_task', ['content', 'task_id'], ['content', 'task_id']],
      ['take_task', ['task_id'], ['task_id']],
      ['complete_task', ['task_id'], ['task_id']],
    ],
  );
});

test('a direct call validates too, and redacts secrets from the text it writes', async (t) => {
  const { workspace } = await tempDirs(t);
  const ctx = context(join(workspace, 'ipc'));
  const bad = await callTrackerTool(tool('comment_on_task'), { task_id: 'a b', content: '' }, ctx);
  assert.equal(bad.isError, true);
  assert.match(bad.content[0].text, /task_id: task id must be an id.*content/);
  assert.deepEqual(await listFiles(workspace), []);

  const ok = await callTrackerTool(tool('comment_on_task'), { task_id: 'T-9', content: 'password hunter2hunter2' }, ctx);
  assert.equal(ok.isError, undefined);
  const [name] = await listFiles(join(workspace, 'ipc', 'tasks'));
  assert.deepEqual(JSON.parse(await readFile(join(workspace, 'ipc', 'tasks', name), 'utf8')), {
    type: 'task_comment',
    task_id: 'T-9',
    content: 'password [REDACTED]',
  });
});

test('a write that fails is reported to the agent as a tool error, not thrown', async (t) => {
  const { workspace } = await tempDirs(t);
  const ipc = join(workspace, 'ipc');
  // ipc/tasks is a plain file, so no file can be created in it (whoever runs the test).
  await mkdir(ipc);
  await writeFile(join(ipc, 'tasks'), '');
  const ctx = context(ipc);
  const answer = await callTrackerTool(tool('take_task'), { task_id: 'T-1' }, ctx);
  assert.equal(answer.isError, true);
  assert.match(answer.content[0].text, /^take_task failed: E[A-Z]+$/);
  assert.ok(ctx.logged.some((m) => m.startsWith('take_task: cannot write')));
});

test('writeJsonAtomically leaves only the final <millis>-<random>.json, newline-terminated', async (t) => {
  const { workspace } = await tempDirs(t);
  const dir = join(workspace, 'out');
  const path = await writeJsonAtomically(dir, { a: 1 });
  assert.deepEqual(await listFiles(dir), [path.slice(dir.length + 1)]);
  assert.equal(await readFile(path, 'utf8'), '{"a":1}\n');
});

test('timestampedName never repeats or goes back within the process, even in one millisecond', () => {
  const names = Array.from({ length: 50 }, () => timestampedName(1_700_000_000_000));
  const millis = names.map((n) => Number(n.split('-')[0]));
  for (let i = 1; i < millis.length; i += 1) assert.ok(millis[i] > millis[i - 1]);
  assert.deepEqual([...names].sort(), names);
  for (const name of names) assert.match(name, /^\d{13}-[0-9a-f]{12}\.json$/);
});
