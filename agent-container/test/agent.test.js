// The program end to end through its stdin and stdout, with the SDK replaced by
// test/fixtures/fake-query.js. Nothing here touches the network.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, dropFile, listFiles, readJsonFiles, startLine, tempDirs, waitFor } from './helpers.js';
import { NEW_SESSION_ID } from './fixtures/fake-query.js';

test('answers the first line with one success block while stdin stays open, and exits 0 on _close', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'hello there' }));

  const [block] = await agent.waitForOutputs(1);
  assert.deepEqual(block, { status: 'success', result: 'echo: hello there', newSessionId: NEW_SESSION_ID, error: null });
  assert.equal(agent.exit, null, 'the agent keeps running after its answer');

  await agent.close();
  assert.deepEqual(await agent.waitForExit(), { code: 0, signal: null });
  assert.equal(existsSync(join(dirs.workspace, 'ipc', 'input', '_close')), false, '_close is consumed');
  assert.equal(agent.outputs().length, 1);
});

test('resumes the session id given on the first line and reports it as newSessionId', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ sessionId: 'b7d1c9e2-5f4a-4c3b-9a8e-0123456789ab' }));

  const [block] = await agent.waitForOutputs(1);
  assert.equal(block.newSessionId, 'b7d1c9e2-5f4a-4c3b-9a8e-0123456789ab');
  const options = await agent.recordedOptions();
  assert.equal(options.resume, 'b7d1c9e2-5f4a-4c3b-9a8e-0123456789ab');
  assert.equal(options.cwd, dirs.workspace);
  assert.equal(options.permissionMode, 'bypassPermissions');
  assert.deepEqual(options.mcpServers, ['tracker']);
  assert.deepEqual(options.hookEvents, ['PreToolUse']);
  assert.match(options.systemPrompt.append, /Docs agent/);
  await agent.close();
  assert.equal((await agent.waitForExit()).code, 0);
});

test('starts a new session when sessionId is null', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ sessionId: null }));

  await agent.waitForOutputs(1);
  assert.equal((await agent.recordedOptions()).resume, null);
  await agent.close();
  await agent.waitForExit();
});

test('feeds follow-up files to the running query in name order and deletes each once taken', async (t) => {
  const dirs = await tempDirs(t);
  const input = join(dirs.workspace, 'ipc', 'input');
  // Written out of order, plus files the agent must leave alone.
  await dropFile(input, '1700000000003-c.json', JSON.stringify({ type: 'message', text: 'third' }));
  await dropFile(input, '1700000000001-a.json', JSON.stringify({ type: 'message', text: 'first' }));
  await dropFile(input, '1700000000002-b.json', JSON.stringify({ type: 'message', text: 'second' }));
  await writeFile(join(input, '.1700000000000-x.json'), JSON.stringify({ type: 'message', text: 'hidden' }));
  await writeFile(join(input, '1700000000000-y.json.tmp'), JSON.stringify({ type: 'message', text: 'unfinished' }));

  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'start' }));
  const blocks = await agent.waitForOutputs(4);
  assert.deepEqual(blocks.map((b) => b.result), ['echo: start', 'echo: first', 'echo: second', 'echo: third']);

  // One more while the query is running.
  await agent.dropInput('later');
  const more = await agent.waitForOutputs(5);
  assert.equal(more[4].result, 'echo: later');

  await agent.close();
  assert.equal((await agent.waitForExit()).code, 0);
  assert.deepEqual(await listFiles(input), ['.1700000000000-x.json', '1700000000000-y.json.tmp']);
});

test('puts an unusable follow-up file aside with its reason and goes on', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine());
  await agent.waitForOutputs(1);

  const input = join(dirs.workspace, 'ipc', 'input');
  await dropFile(input, '1700000000001-bad.json', '{not json');
  await dropFile(input, '1700000000002-good.json', JSON.stringify({ type: 'message', text: 'still here' }));
  const blocks = await agent.waitForOutputs(2);
  assert.equal(blocks[1].result, 'echo: still here');
  assert.equal(await readFile(join(input, '.rejected', '1700000000001-bad.json.reason'), 'utf8'), 'not valid JSON\n');
  assert.equal(await readFile(join(input, '.rejected', '1700000000001-bad.json'), 'utf8'), '{not json');

  await agent.close();
  await agent.waitForExit();
});

test('removes a stale _close from an earlier run instead of stopping on it', async (t) => {
  const dirs = await tempDirs(t);
  await dropFile(join(dirs.workspace, 'ipc', 'input'), '_close', '');
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'HOLD first' }));

  // The turn is held, so the only way the stale _close can be gone is removal at start-up.
  await waitFor(() => existsSync(join(dirs.records, 'options.json')), 'the query to start');
  assert.equal(existsSync(join(dirs.workspace, 'ipc', 'input', '_close')), false);
  await agent.release('first');
  const [block] = await agent.waitForOutputs(1);
  assert.equal(block.result, 'released first');
  assert.equal(agent.exit, null, 'still running: the stale _close did not end the run');

  await agent.close();
  assert.equal((await agent.waitForExit()).code, 0);
});

test('a _close during a turn lets that turn finish and print its result before exiting', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'HOLD turn' }));
  await waitFor(() => existsSync(join(dirs.records, 'prompts.jsonl')), 'the turn to start');

  await agent.close();
  await agent.release('turn');
  assert.equal((await agent.waitForExit()).code, 0);
  assert.deepEqual(agent.outputs().map((b) => b.result), ['released turn']);
});

test('treats the end of stdin as close: answers the first line, then exits 0', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'piped' }));
  agent.closeStdin();

  assert.deepEqual(await agent.waitForExit(), { code: 0, signal: null });
  assert.deepEqual(agent.outputs().map((b) => [b.status, b.result]), [['success', 'echo: piped']]);
});

test('prints an error block and exits 2 for a first line that is not JSON, without echoing it', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send('{"prompt": "x", "agentSlug": "a", "secrets": {"ANTHROPIC_API_KEY": "sk-ant-in-broken-line-1234"}');

  assert.equal((await agent.waitForExit()).code, 2);
  const [block] = agent.outputs();
  assert.equal(block.status, 'error');
  assert.equal(block.result, null);
  assert.equal(block.newSessionId, null);
  assert.match(block.error, /not valid JSON/);
  assert.doesNotMatch(agent.stdout + agent.stderr, /sk-ant-in-broken-line-1234/);
  assert.equal(existsSync(join(dirs.records, 'options.json')), false, 'no query was started');
});

test('prints an error block and exits 2 for a first line with a missing prompt', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(JSON.stringify({ sessionId: null, agentSlug: 'docs', agentName: 'Docs', secrets: {} }));

  assert.equal((await agent.waitForExit()).code, 2);
  assert.match(agent.outputs()[0].error, /"prompt" must be a non-empty string/);
});

test('prints an error block and exits 2 when stdin ends before any line', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.closeStdin();

  assert.equal((await agent.waitForExit()).code, 2);
  assert.match(agent.outputs()[0].error, /stdin ended before the first line/);
});

test('reports a query that throws as an error block with the session id, and exits 1', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'THROW the CLI crashed' }));

  assert.equal((await agent.waitForExit()).code, 1);
  assert.deepEqual(agent.outputs(), [
    { status: 'error', result: null, newSessionId: NEW_SESSION_ID, error: 'agent failed: the CLI crashed' },
  ]);
});

test('a resumed session the SDK no longer has is reported with the code session_not_found', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ sessionId: 'lost-0123' }));

  assert.equal((await agent.waitForExit()).code, 1);
  assert.deepEqual(agent.outputs(), [{
    status: 'error',
    result: null,
    newSessionId: 'lost-0123',
    error: 'agent failed: Claude Code process exited with code 1',
    code: 'session_not_found',
  }]);
});

test('an error that is not a lost session carries no code, even in the words of one', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  // a new session cannot be lost, whatever the error says
  agent.send(startLine({ sessionId: null, prompt: 'THROW No conversation found with session ID: x' }));

  assert.equal((await agent.waitForExit()).code, 1);
  assert.equal(agent.outputs().length, 1);
  assert.equal('code' in agent.outputs()[0], false, JSON.stringify(agent.outputs()));
});

test('reports an error result as an error block and keeps taking follow-ups', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'ERROR_RESULT tool loop failed' }));

  const [block] = await agent.waitForOutputs(1);
  assert.deepEqual(block, {
    status: 'error',
    result: null,
    newSessionId: NEW_SESSION_ID,
    error: 'error_during_execution: tool loop failed',
  });
  await agent.dropInput('after the error');
  const blocks = await agent.waitForOutputs(2);
  assert.equal(blocks[1].result, 'echo: after the error');
  await agent.close();
  assert.equal((await agent.waitForExit()).code, 0);
});

test('reports a query that ends without answering as an error, and exits 1', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'NO_RESULT' }));

  assert.equal((await agent.waitForExit()).code, 1);
  assert.deepEqual(agent.outputs().map((b) => [b.status, b.error]), [['error', 'the agent ended without a result']]);
});

test('a follow-up the query took but never answered is reported as an error', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'TAKE_NEXT_THEN_END' }));
  await waitFor(() => existsSync(join(dirs.records, 'prompts.jsonl')), 'the turn to start');
  await agent.dropInput('never answered');

  assert.equal((await agent.waitForExit()).code, 1);
  assert.deepEqual(agent.outputs().map((b) => [b.status, b.result, b.error]), [
    ['success', 'answered the first only', null],
    ['error', null, 'the agent ended without a result'],
  ]);
});

test('reports a workspace it cannot use as an error block and exits 1', async (t) => {
  const dirs = await tempDirs(t);
  await writeFile(join(dirs.workspace, 'ipc'), 'a file where a directory should be');
  const agent = new Agent(dirs, t);
  agent.send(startLine());

  assert.equal((await agent.waitForExit()).code, 1);
  const [block] = agent.outputs();
  assert.equal(block.status, 'error');
  assert.match(block.error, /^cannot use the workspace .*: E[A-Z]+$/);
});

test('SIGTERM while idle ends the run cleanly with exit 0 and no extra block', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine());
  await agent.waitForOutputs(1);

  agent.child.kill('SIGTERM');
  assert.deepEqual(await agent.waitForExit(), { code: 0, signal: null });
  assert.equal(agent.outputs().length, 1);
});

test('SIGTERM during a turn stops it, says so in an error block, and exits 0', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'HOLD never' }));
  await waitFor(() => existsSync(join(dirs.records, 'prompts.jsonl')), 'the turn to start');

  agent.child.kill('SIGTERM');
  assert.deepEqual(await agent.waitForExit(), { code: 0, signal: null });
  assert.deepEqual(agent.outputs().map((b) => [b.status, b.error, b.newSessionId]), [
    ['error', 'stopped before the turn finished', NEW_SESSION_ID],
  ]);
});

test('each tracker tool writes its file into ipc/messages or ipc/tasks as the contract says', async (t) => {
  const dirs = await tempDirs(t);
  const calls = [
    ['send_chat_message', { chat_id: 'general', content: 'Build is green.' }],
    ['update_task_status', { task_id: 'T-1', status: 'review' }],
    ['comment_on_task', { task_id: 'T-1', content: 'Ready for review.' }],
    ['take_task', { task_id: 'T-2' }],
    ['complete_task', { task_id: '42' }],
  ];
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'start' }));
  await agent.waitForOutputs(1);
  for (const [name, args] of calls) await agent.dropInput(`CALL_TOOL ${name} ${JSON.stringify(args)}`);
  const blocks = await agent.waitForOutputs(1 + calls.length);
  for (const block of blocks.slice(1)) assert.equal(JSON.parse(block.result).isError, false, block.result);
  await agent.close();
  await agent.waitForExit();

  const messages = await readJsonFiles(join(dirs.workspace, 'ipc', 'messages'));
  assert.deepEqual(messages.map((m) => m.value), [
    { type: 'chat_message', chat_id: 'general', content: 'Build is green.', sender_name: 'Docs agent' },
  ]);
  const tasks = await readJsonFiles(join(dirs.workspace, 'ipc', 'tasks'));
  assert.deepEqual(tasks.map((m) => m.value), [
    { type: 'task_status', task_id: 'T-1', status: 'review' },
    { type: 'task_comment', task_id: 'T-1', content: 'Ready for review.' },
    { type: 'task_take', task_id: 'T-2' },
    { type: 'task_complete', task_id: '42' },
  ]);
  for (const { name } of [...messages, ...tasks]) assert.match(name, /^\d{13}-[0-9a-f]{12}\.json$/);
  // Only the final files: no temporary names are left behind.
  assert.equal((await listFiles(join(dirs.workspace, 'ipc', 'tasks'))).length, 4);
  assert.equal((await listFiles(join(dirs.workspace, 'ipc', 'messages'))).length, 1);
});

test('a tracker tool refuses invalid arguments and writes nothing', async (t) => {
  const dirs = await tempDirs(t);
  const bad = [
    ['send_chat_message', { chat_id: '../../etc', content: 'hi' }],
    ['send_chat_message', { chat_id: 'general', content: '   ' }],
    ['update_task_status', { task_id: 'T-1', status: 'Done!' }],
    ['comment_on_task', { task_id: 'T-1' }],
    ['take_task', { task_id: '' }],
    ['complete_task', { task_id: 7 }],
  ];
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'start' }));
  await agent.waitForOutputs(1);
  for (const [name, args] of bad) await agent.dropInput(`CALL_TOOL ${name} ${JSON.stringify(args)}`);
  const blocks = await agent.waitForOutputs(1 + bad.length);
  for (const block of blocks.slice(1)) {
    const answer = JSON.parse(block.result);
    assert.equal(answer.isError, true, block.result);
    assert.match(answer.text, /invalid|validation/i);
  }
  await agent.close();
  await agent.waitForExit();
  assert.deepEqual(await listFiles(join(dirs.workspace, 'ipc', 'messages')), []);
  assert.deepEqual(await listFiles(join(dirs.workspace, 'ipc', 'tasks')), []);
});

test('secrets reach only the SDK environment: not process.env, not shell commands, no output, no file', async (t) => {
  const dirs = await tempDirs(t);
  const secrets = {
    ANTHROPIC_API_KEY: 'sk-ant-api03-SECRETVALUE-abcdefghijklmnop',
    CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-OAUTHSECRET-qrstuvwxyz',
    GITHUB_TOKEN: 'ghp_GITHUBSECRET0123456789',
  };
  const agent = new Agent(dirs, t);
  agent.send(startLine({ prompt: 'RUN_BASH printf %s "${ANTHROPIC_API_KEY-unset}:${CLAUDE_CODE_OAUTH_TOKEN-unset}:${GITHUB_TOKEN-unset}"', secrets }));
  const [bash] = await agent.waitForOutputs(1);
  assert.equal(bash.result, 'unset:unset:unset', 'the agent\'s shell commands do not see the secrets');

  // The agent repeats a secret, and posts one to the tracker: both are redacted.
  await agent.dropInput('LEAK');
  await agent.dropInput(`CALL_TOOL send_chat_message ${JSON.stringify({ chat_id: 'c1', content: `key: ${secrets.GITHUB_TOKEN}` })}`);
  const blocks = await agent.waitForOutputs(3);
  assert.equal(blocks[1].result, 'the key is [REDACTED]');
  await agent.close();
  assert.equal((await agent.waitForExit()).code, 0);

  const options = await agent.recordedOptions();
  for (const [name, value] of Object.entries(secrets)) {
    assert.equal(options.env[name], value, `${name} is in the SDK's env`);
    assert.equal(options.processEnv[name], undefined, `${name} is not in process.env`);
  }
  const [chat] = await readJsonFiles(join(dirs.workspace, 'ipc', 'messages'));
  assert.equal(chat.value.content, 'key: [REDACTED]');

  const files = await listFiles(dirs.workspace);
  assert.ok(files.some((f) => f.startsWith('conversations/')), 'a transcript was written');
  for (const file of files) {
    const content = await readFile(join(dirs.workspace, file), 'utf8');
    for (const value of Object.values(secrets)) assert.ok(!content.includes(value), `${file} holds a secret`);
  }
  for (const value of Object.values(secrets)) {
    assert.ok(!agent.stdout.includes(value), 'stdout holds a secret');
    assert.ok(!agent.stderr.includes(value), 'stderr holds a secret');
  }
});

test('keeps the transcript of the conversation under conversations/<session id>.md', async (t) => {
  const dirs = await tempDirs(t);
  const sessionId = 'b7d1c9e2-5f4a-4c3b-9a8e-0123456789ab';
  const first = new Agent(dirs, t);
  first.send(startLine({ prompt: 'first question', sessionId }));
  await first.waitForOutputs(1);
  await first.dropInput('a follow-up');
  await first.waitForOutputs(2);
  await first.close();
  await first.waitForExit();

  // A later run resuming the same session appends to the same file.
  const second = new Agent(dirs, t);
  second.send(startLine({ prompt: 'next day', sessionId }));
  await second.waitForOutputs(1);
  await second.close();
  await second.waitForExit();

  assert.deepEqual(await listFiles(join(dirs.workspace, 'conversations')), [`${sessionId}.md`]);
  const text = await readFile(join(dirs.workspace, 'conversations', `${sessionId}.md`), 'utf8');
  const order = ['first question', 'echo: first question', 'a follow-up', 'echo: a follow-up', 'next day', 'echo: next day'];
  let at = -1;
  for (const piece of order) {
    const next = text.indexOf(piece, at + 1);
    assert.ok(next > at, `"${piece}" appears in order in:\n${text}`);
    at = next;
  }
  assert.equal(text.match(/^# Conversation /gm).length, 1, 'one header per file');
});

test('ignores more lines on stdin after the first', async (t) => {
  const dirs = await tempDirs(t);
  const agent = new Agent(dirs, t);
  agent.send(`${startLine({ prompt: 'only this' })}\n${startLine({ prompt: 'not this' })}`);
  await agent.waitForOutputs(1);
  agent.send(startLine({ prompt: 'nor this' }));
  await agent.close();
  await agent.waitForExit();
  assert.deepEqual(agent.outputs().map((b) => b.result), ['echo: only this']);
});

test('creates the ipc directories it reads and writes in an empty workspace', async (t) => {
  const dirs = await tempDirs(t);
  await mkdir(join(dirs.workspace, 'unrelated'));
  const agent = new Agent(dirs, t);
  agent.send(startLine());
  await agent.waitForOutputs(1);
  assert.ok(existsSync(join(dirs.workspace, 'ipc', 'input')));
  await agent.close();
  await agent.waitForExit();
});
