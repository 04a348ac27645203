import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import {
  OUTPUT_END,
  OUTPUT_START,
  OutputWriter,
  ProtocolError,
  parseOutputBlocks,
  parseStartLine,
  readFirstLine,
} from '../src/protocol.js';

const valid = { prompt: 'do it', sessionId: null, agentSlug: 'docs', agentName: 'Docs', secrets: { ANTHROPIC_API_KEY: 'k' } };

test('parseStartLine accepts the contract fields and ignores unknown ones', () => {
  assert.deepEqual(parseStartLine(JSON.stringify({ ...valid, extra: 1 })), {
    prompt: 'do it',
    sessionId: null,
    agentSlug: 'docs',
    agentName: 'Docs',
    secrets: { ANTHROPIC_API_KEY: 'k' },
  });
});

test('parseStartLine defaults agentName to the slug, secrets to none, and drops empty secrets', () => {
  const parsed = parseStartLine(JSON.stringify({ prompt: 'p', agentSlug: 'a-1', secrets: { EMPTY: '' } }));
  assert.equal(parsed.agentName, 'a-1');
  assert.equal(parsed.sessionId, null);
  assert.deepEqual(parsed.secrets, {});
});

test('parseStartLine rejects each malformed field with a message that names it', () => {
  const cases = [
    ['[1,2]', /not a JSON object/],
    ['null', /not a JSON object/],
    [JSON.stringify({ ...valid, prompt: '  ' }), /"prompt"/],
    [JSON.stringify({ ...valid, prompt: 3 }), /"prompt"/],
    [JSON.stringify({ ...valid, sessionId: '../x' }), /"sessionId"/],
    [JSON.stringify({ ...valid, sessionId: 12 }), /"sessionId"/],
    [JSON.stringify({ ...valid, agentSlug: 'a/b' }), /"agentSlug"/],
    [JSON.stringify({ ...valid, agentSlug: undefined }), /"agentSlug"/],
    [JSON.stringify({ ...valid, agentName: '' }), /"agentName"/],
    [JSON.stringify({ ...valid, secrets: ['x'] }), /"secrets"/],
    [JSON.stringify({ ...valid, secrets: { 'BAD NAME': 'v' } }), /not an environment variable name/],
    [JSON.stringify({ ...valid, secrets: { KEY: 5 } }), /secret KEY must be a string/],
  ];
  for (const [line, message] of cases) assert.throws(() => parseStartLine(line), (err) => err instanceof ProtocolError && message.test(err.message), line);
});

test('parseStartLine never quotes the line in its error, which may hold secrets', () => {
  const line = '{"secrets": {"ANTHROPIC_API_KEY": "sk-ant-hidden-value"}, "prompt": ';
  assert.throws(() => parseStartLine(line), (err) => err.message === 'first line is not valid JSON');
});

test('readFirstLine resolves at the newline without waiting for the end of the stream', async () => {
  const stream = new PassThrough();
  const line = readFirstLine(stream);
  stream.write('{"prompt":');
  stream.write(' "x"}\r\n{"second": true}\n');
  assert.equal(await line, '{"prompt": "x"}');
  assert.equal(stream.writableEnded, false, 'the stream was never ended');
});

test('readFirstLine takes the text before end-of-file when no newline came', async () => {
  const stream = new PassThrough();
  const line = readFirstLine(stream);
  stream.end('{"prompt": "x"}');
  assert.equal(await line, '{"prompt": "x"}');
});

test('readFirstLine rejects an empty stream and an over-long line', async () => {
  const empty = new PassThrough();
  const emptyLine = readFirstLine(empty);
  empty.end();
  await assert.rejects(emptyLine, /stdin ended before the first line/);

  const long = new PassThrough();
  const longLine = readFirstLine(long, { maxBytes: 10 });
  long.write('0123456789abc');
  await assert.rejects(longLine, /longer than 10 bytes/);
});

test('OutputWriter writes each block between the markers, redacting result and error', async () => {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d) => (text += d));
  const writer = new OutputWriter(stdout, (s) => s.replaceAll('s3cret', '[REDACTED]'));
  await writer.success('answer with s3cret', 'sess-1');
  await writer.error('failed: s3cret', 'sess-1');
  assert.equal(
    text,
    `${OUTPUT_START}\n{"status":"success","result":"answer with [REDACTED]","newSessionId":"sess-1","error":null}\n${OUTPUT_END}\n` +
      `${OUTPUT_START}\n{"status":"error","result":null,"newSessionId":"sess-1","error":"failed: [REDACTED]"}\n${OUTPUT_END}\n`,
  );
  assert.deepEqual(parseOutputBlocks(text).map((b) => b.status), ['success', 'error']);
});

test('a result containing the marker text or newlines stays one parseable block', async () => {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d) => (text += d));
  await new OutputWriter(stdout).success(`line 1\n${OUTPUT_END}\nline 3`, 's');
  assert.equal(text.split('\n').length, 4, 'the JSON is one line: newlines inside are escaped');
  assert.deepEqual(parseOutputBlocks(text)[0].result, `line 1\n${OUTPUT_END}\nline 3`);
});
