import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { REDACTED, buildSdkEnv, makeRedactor, secretHooks, secretNames, shellSecretsHook, unsetPrefix } from '../src/secrets.js';

const preToolUse = (tool_name, tool_input) => ({ hook_event_name: 'PreToolUse', tool_name, tool_input, tool_use_id: 't1', session_id: 's', cwd: '/w', transcript_path: '' });

test('buildSdkEnv keeps an allow-list of the container environment, then adds extras and secrets', () => {
  const env = buildSdkEnv(
    {
      PATH: '/usr/bin',
      HOME: '/home/node',
      LC_ALL: 'C.UTF-8',
      ANTHROPIC_MODEL: 'claude-x',
      ANTHROPIC_API_KEY: 'from-the-environment',
      CLAUDE_CODE_OAUTH_TOKEN: 'from-the-environment',
      ANTHROPIC_CUSTOM_HEADERS: 'Authorization: x',
      RELAY_AGENT_FAKE_QUERY: '/tmp/fake.js',
      AWS_SECRET_ACCESS_KEY: 'aws',
      UNRELATED: 'x',
    },
    { ANTHROPIC_API_KEY: 'from-stdin', GITHUB_TOKEN: 'gh' },
    { HOME: '/ignored-because-set', CLAUDE_CONFIG_DIR: '/workspace/.claude-config' },
  );
  assert.deepEqual(env, {
    PATH: '/usr/bin',
    HOME: '/home/node',
    LC_ALL: 'C.UTF-8',
    ANTHROPIC_MODEL: 'claude-x',
    CLAUDE_CONFIG_DIR: '/workspace/.claude-config',
    ANTHROPIC_API_KEY: 'from-stdin',
    GITHUB_TOKEN: 'gh',
  });
});

test('buildSdkEnv passes on the variables the relay names in RELAY_AGENT_ENV, never a secret-looking one', () => {
  const env = buildSdkEnv(
    {
      PATH: '/usr/bin',
      RELAY_AGENT_ENV: 'GIT_AUTHOR_NAME, PIP_INDEX_URL,MY_TOKEN,NOT_SET',
      GIT_AUTHOR_NAME: 'Relay agent',
      PIP_INDEX_URL: 'http://pypi.example/simple',
      MY_TOKEN: 'smuggled',
      UNRELATED: 'x',
    },
    { CLAUDE_CODE_OAUTH_TOKEN: 'from-stdin' },
  );
  assert.deepEqual(env, {
    PATH: '/usr/bin',
    GIT_AUTHOR_NAME: 'Relay agent',
    PIP_INDEX_URL: 'http://pypi.example/simple',
    CLAUDE_CODE_OAUTH_TOKEN: 'from-stdin',
  });
});

test('secretNames lists the received names and the known credentials once, sorted', () => {
  assert.deepEqual(secretNames({ GITHUB_TOKEN: 'x', ANTHROPIC_API_KEY: 'y' }), [
    'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'GITHUB_TOKEN',
  ]);
});

test('the shell hook prefixes Bash and Monitor commands with unset, allowing them with the new input', async () => {
  const hook = shellSecretsHook(['ANTHROPIC_API_KEY', 'GITHUB_TOKEN']);
  const out = await hook(preToolUse('Bash', { command: 'echo hi', description: 'Say hi', timeout: 5000 }));
  assert.deepEqual(out, {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'allow',
      updatedInput: { command: 'unset ANTHROPIC_API_KEY GITHUB_TOKEN; echo hi', description: 'Say hi', timeout: 5000 },
    },
  });
  const monitor = await hook(preToolUse('Monitor', { command: 'tail -f log', description: 'd', timeout_ms: 1000 }));
  assert.equal(monitor.hookSpecificOutput.updatedInput.command, 'unset ANTHROPIC_API_KEY GITHUB_TOKEN; tail -f log');
});

test('the shell hook leaves other tools and inputs without a command alone', async () => {
  const hook = shellSecretsHook(['ANTHROPIC_API_KEY']);
  assert.deepEqual(await hook(preToolUse('Read', { file_path: '/etc/hosts' })), {});
  assert.deepEqual(await hook(preToolUse('Monitor', { ws: { url: 'wss://x' }, description: 'd', timeout_ms: 1 })), {});
  assert.deepEqual(await hook({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } }), {});
});

test('secretHooks registers the shell hook on PreToolUse for the shell tools', () => {
  const hooks = secretHooks(['ANTHROPIC_API_KEY']);
  assert.deepEqual(Object.keys(hooks), ['PreToolUse']);
  assert.equal(hooks.PreToolUse[0].matcher, 'Bash|Monitor');
  assert.equal(hooks.PreToolUse[0].hooks.length, 1);
});

test('a command behind the unset prefix really runs without the variables', () => {
  const output = execFileSync('bash', ['-c', `${unsetPrefix(['SECRET_A', 'SECRET_B'])}printf %s "\${SECRET_A-gone}/\${SECRET_B-gone}/$KEEP"`], {
    env: { PATH: process.env.PATH, SECRET_A: 'a-value', SECRET_B: 'b-value', KEEP: 'kept' },
    encoding: 'utf8',
  });
  assert.equal(output, 'gone/gone/kept');
});

test('makeRedactor replaces every secret value, longest first, and leaves short values alone', () => {
  const redact = makeRedactor({ A: 'sk-ant-0123456789', B: 'sk-ant-0123456789-longer', SHORT: 'abc' });
  assert.equal(redact('x sk-ant-0123456789-longer y sk-ant-0123456789 abc'), `x ${REDACTED} y ${REDACTED} abc`);
  assert.equal(makeRedactor({})('unchanged'), 'unchanged');
  assert.equal(redact(null), null);
});
