// The relay-agent program: reads the start line, runs one streaming Claude Agent SDK query that
// resumes the given session, feeds it follow-ups from ipc/input until _close (or stdin's end),
// and prints every result between the output markers (CONTRACT.md section 6).

import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Inbox } from './inbox.js';
import { OutputWriter, ProtocolError, errorCode, isSessionId, parseStartLine, readFirstLine } from './protocol.js';
import { buildSdkEnv, makeRedactor, secretHooks, secretNames } from './secrets.js';
import { SERVER_NAME, createTrackerServer } from './tracker-tools.js';
import { Transcript } from './transcript.js';

export const VERSION = '0.1.0';
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

// What the entry point's last-resort handler may use once the secrets are known.
let activeRedact = (text) => text;

/**
 * One run of the agent, from the first stdin line to the end of the query. Returns the exit code.
 *
 * @param {object} io
 * @param {import('node:stream').Readable} io.stdin
 * @param {import('node:stream').Writable} io.stdout   the relay reads output blocks here
 * @param {import('node:stream').Writable} io.stderr   diagnostics
 * @param {Function} io.query       the SDK's query(), or a fake in tests
 * @param {string} io.workspace     /workspace in the container
 * @param {object} [io.env]         the container's environment, filtered into the SDK's
 * @param {number} [io.pollMs]      how often ipc/input is looked at
 * @param {AbortSignal} [io.stop]   SIGTERM: stop taking input, end the query, exit cleanly
 */
export async function run({ stdin, stdout, stderr, query, workspace, env = process.env, pollMs = 500, stop }) {
  let redact = (text) => text;
  const log = (message) => stderr.write(`relay-agent: ${redact(String(message))}\n`);
  const output = new OutputWriter(stdout, (text) => redact(text));

  let start;
  try {
    start = parseStartLine(await firstLineOrStop(stdin, stop));
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    if (stop?.aborted) {
      log(err.message);
      await output.error(err.message);
      return EXIT_OK;
    }
    log(`bad first line: ${err.message}`);
    await output.error(`bad first line: ${err.message}`);
    return EXIT_BAD_INPUT;
  }

  redact = makeRedactor(start.secrets);
  activeRedact = redact;
  const ipcDir = join(workspace, 'ipc');
  const inbox = new Inbox(join(ipcDir, 'input'), { pollMs, log });
  const transcript = new Transcript(join(workspace, 'conversations'), {
    agentName: start.agentName,
    agentSlug: start.agentSlug,
    redact,
    log,
  });
  try {
    await inbox.prepare();
  } catch (err) {
    const message = `cannot use the workspace ${workspace}: ${err.code ?? err.message}`;
    log(message);
    await output.error(message, start.sessionId);
    return EXIT_FAILURE;
  }

  // Input ends with _close, with the end of stdin, or on SIGTERM.
  const inputEnd = new AbortController();
  const onStdinEnd = () => {
    if (!inputEnd.signal.aborted) log('stdin closed: finishing after the current work');
    inputEnd.abort();
  };
  stdin.on('data', () => {});
  stdin.on('error', onStdinEnd);
  if (stdin.readableEnded) onStdinEnd();
  else stdin.on('end', onStdinEnd);
  stdin.resume();

  const aborter = new AbortController();
  let stopping = false;
  const onStop = () => {
    stopping = true;
    log('stop requested: ending the query');
    inputEnd.abort();
    aborter.abort();
  };
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });

  let sessionId = start.sessionId;
  // Claude Code says on stderr that it cannot resume; the SDK's own error then says only that it exited.
  let lostSession = null;
  const resumed = start.sessionId !== null;
  // Messages sent and not yet answered, by uuid. Claude Code may answer several queued messages
  // in one turn; its result lists the uuids it consumed.
  const unanswered = new Set();
  const send = (text) => {
    const message = userMessage(text);
    unanswered.add(message.uuid);
    return message;
  };

  async function* prompts() {
    transcript.userMessage(start.prompt, false);
    yield send(start.prompt);
    for await (const text of inbox.messages(inputEnd.signal)) {
      log('follow-up message received');
      transcript.userMessage(text, true);
      yield send(text);
    }
    log('no more input: the query ends after the current turn');
  }

  const options = {
    cwd: workspace,
    env: buildSdkEnv(env, start.secrets, {
      HOME: homedir(),
      // Sessions must outlive the container to be resumed, so Claude Code keeps them in the workspace.
      CLAUDE_CONFIG_DIR: join(workspace, '.claude-config'),
      CLAUDE_AGENT_SDK_CLIENT_APP: `relay-agent/${VERSION}`,
    }),
    ...(start.sessionId ? { resume: start.sessionId } : {}),
    // Nobody is there to approve a tool call; the container is the boundary.
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    mcpServers: { [SERVER_NAME]: createTrackerServer({ ipcDir, agentName: start.agentName, redact, log }) },
    hooks: secretHooks(secretNames(start.secrets)),
    systemPrompt: { type: 'preset', preset: 'claude_code', append: relayInstructions(start) },
    abortController: aborter,
    stderr: (data) => {
      lostSession ??= errorCode(String(data), resumed);
      log(`claude: ${String(data).trimEnd()}`);
    },
  };

  let code = EXIT_OK;
  try {
    const q = query({ prompt: prompts(), options });
    for await (const message of q) {
      if (isSessionId(message?.session_id) && message.session_id !== sessionId) {
        sessionId = message.session_id;
        log(`session ${sessionId}`);
      }
      if (isSessionId(sessionId)) transcript.setSession(sessionId);
      if (message?.type !== 'result') continue;
      markAnswered(unanswered, message);
      const out = resultOutput(message);
      const code = out.status === 'error' ? (errorCode(out.error, resumed) ?? lostSession) : null;
      await output.write({ ...out, newSessionId: sessionId, code });
      transcript.result(out.status, out.status === 'success' ? out.result : out.error);
    }
    if (unanswered.size > 0 && !stopping) {
      await output.error('the agent ended without a result', sessionId);
      transcript.result('error', 'the agent ended without a result');
      code = EXIT_FAILURE;
    }
  } catch (err) {
    if (stopping) {
      log(`query ended on stop: ${err?.message ?? err}`);
    } else {
      const message = `agent failed: ${err?.message ?? String(err)}`;
      log(message);
      await output.error(message, sessionId, errorCode(message, resumed) ?? lostSession);
      transcript.result('error', message);
      code = EXIT_FAILURE;
    }
  } finally {
    stop?.removeEventListener('abort', onStop);
    inputEnd.abort();
  }
  if (stopping && unanswered.size > 0) {
    await output.error('stopped before the turn finished', sessionId);
    transcript.result('error', 'stopped before the turn finished');
  }
  await transcript.flush(start.sessionId);
  return code;
}

function firstLineOrStop(stdin, stop) {
  if (!stop) return readFirstLine(stdin);
  if (stop.aborted) return Promise.reject(new ProtocolError('stopped before the first line arrived'));
  return new Promise((resolvePromise, reject) => {
    const onStop = () => reject(new ProtocolError('stopped before the first line arrived'));
    stop.addEventListener('abort', onStop, { once: true });
    readFirstLine(stdin).then(resolvePromise, reject).finally(() => stop.removeEventListener('abort', onStop));
  });
}

/** The SDK's streaming-input message for one user turn. */
export function userMessage(text, uuid = randomUUID()) {
  return { type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null, uuid };
}

/** Removes what a result answered; a result that names no message answers all (older CLIs). */
function markAnswered(unanswered, result) {
  const uuids = Array.isArray(result.user_message_uuids)
    ? result.user_message_uuids
    : typeof result.user_message_uuid === 'string'
      ? [result.user_message_uuid]
      : null;
  if (uuids === null) unanswered.clear();
  else for (const uuid of uuids) unanswered.delete(uuid);
}

/** Maps an SDK result message to the fields of an output block (without newSessionId). */
export function resultOutput(message) {
  if (message.subtype === 'success' && !message.is_error) {
    const text = typeof message.result === 'string' && message.result.trim() !== '' ? message.result : null;
    return { status: 'success', result: text, error: null };
  }
  if (message.subtype === 'success') {
    return { status: 'error', result: null, error: message.result || 'the turn ended in an error' };
  }
  const details = Array.isArray(message.errors) && message.errors.length > 0 ? `: ${message.errors.join('; ')}` : '';
  return { status: 'error', result: null, error: `${message.subtype ?? 'error'}${details}` };
}

function relayInstructions({ agentName, agentSlug }) {
  return [
    `You are ${agentName} (agent "${agentSlug}"), an agent supervised by Relay.`,
    "Messages come from Relay's coordinator. Your final reply to each message is delivered to the coordinator",
    'as a message from you, so make it a complete answer. Your working directory persists between runs.',
    `The ${SERVER_NAME} tools post chat messages and take, update, comment on and complete tracker tasks;`,
    'the relay delivers them to the tracker shortly after the call.',
  ].join(' ');
}

async function loadQuery(fakeModule) {
  if (fakeModule) {
    // Tests only: a scripted stand-in for the SDK's query(), so that no test needs the network.
    const mod = await import(pathToFileURL(resolve(fakeModule)).href);
    return mod.query;
  }
  const sdk = await import('@anthropic-ai/claude-agent-sdk');
  return sdk.query;
}

function isEntryPoint() {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

async function main() {
  const stop = new AbortController();
  const onSignal = (signal) => {
    if (stop.signal.aborted) {
      process.stderr.write(`relay-agent: second ${signal}: exiting now\n`);
      new OutputWriter(process.stdout).error(`second ${signal}: exited without finishing`).finally(() => process.exit(EXIT_FAILURE));
      return;
    }
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  // Never a silent exit: whatever escapes is still reported to the relay as an error block.
  const fatal = (err) => {
    const message = activeRedact(`internal error: ${err?.message ?? String(err)}`);
    process.stderr.write(`relay-agent: ${activeRedact(String(err?.stack ?? err))}\n`);
    new OutputWriter(process.stdout, activeRedact).error(message).finally(() => process.exit(EXIT_FAILURE));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  // The relay is gone when stdout breaks; there is nobody left to tell.
  process.stdout.on('error', () => process.exit(EXIT_FAILURE));
  process.stderr.on('error', () => {});

  const workspace = resolve(process.env.RELAY_WORKSPACE || '/workspace');
  const pollMs = Number.parseInt(process.env.RELAY_INPUT_POLL_MS ?? '', 10);
  const query = await loadQuery(process.env.RELAY_AGENT_FAKE_QUERY);
  const code = await run({
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    query,
    workspace,
    env: process.env,
    pollMs: Number.isFinite(pollMs) && pollMs > 0 ? pollMs : 500,
    stop: stop.signal,
  });
  // stdin may still be open (the relay never closes it), so leave explicitly once stdout is written.
  process.stdout.write('', () => process.exit(code));
}

if (isEntryPoint()) await main();
