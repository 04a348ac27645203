// A readable record of each conversation: /workspace/conversations/<session id>.md, appended to
// on every message in and every result out, across runs that resume the same session.

import { appendFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isSessionId } from './protocol.js';

export class Transcript {
  /**
   * @param {string} dir  the conversations directory
   * @param {object} options  agentName, agentSlug; redact: applied to every text; log: diagnostics
   */
  constructor(dir, { agentName, agentSlug, redact = (t) => t, log = () => {}, now = () => new Date() }) {
    this.dir = dir;
    this.agent = `${agentName} (${agentSlug})`;
    this.redact = redact;
    this.log = log;
    this.now = now;
    this.sessionId = null;
    this.pending = [];
    this.chain = Promise.resolve();
  }

  /** Entries before the first session id is known wait in memory; they land in that session's file. */
  setSession(sessionId) {
    if (!isSessionId(sessionId) || sessionId === this.sessionId) return;
    const previous = this.sessionId;
    this.sessionId = sessionId;
    if (previous !== null) this.add('relay agent', `Session continues as ${sessionId} (was ${previous}).`);
    const waiting = this.pending;
    this.pending = [];
    for (const entry of waiting) this.enqueue(entry);
  }

  userMessage(text, followUp) {
    this.add(followUp ? 'relay (follow-up)' : 'relay', text);
  }

  result(status, text) {
    this.add(status === 'success' ? this.agent : `${this.agent}: ${status}`, text ?? '(no text)');
  }

  add(who, text) {
    const entry = `### ${this.now().toISOString()} ${who}\n\n${this.redact(String(text))}\n\n`;
    if (this.sessionId === null) this.pending.push(entry);
    else this.enqueue(entry);
  }

  enqueue(entry) {
    const file = join(this.dir, `${this.sessionId}.md`);
    const header = `# Conversation ${this.sessionId}\n\nAgent: ${this.agent}\n\n`;
    this.chain = this.chain.then(() => this.append(file, header, entry));
  }

  async append(file, header, entry) {
    try {
      await mkdir(this.dir, { recursive: true });
      const isNew = await stat(file).then(() => false, (err) => (err.code === 'ENOENT' ? true : Promise.reject(err)));
      await appendFile(file, isNew ? header + entry : entry, { mode: 0o644 });
    } catch (err) {
      // A lost transcript line must not cost the conversation itself.
      this.log(`transcript: cannot write ${file}: ${err.code ?? err.message}`);
    }
  }

  /**
   * Writes what is still waiting. Entries from a run that never learnt its session id go to the
   * session it meant to resume, else to a dated file.
   */
  async flush(fallbackSessionId = null) {
    if (this.pending.length > 0 && isSessionId(fallbackSessionId)) this.setSession(fallbackSessionId);
    if (this.pending.length > 0) {
      const stamp = this.now().toISOString().replace(/[:.]/g, '-');
      const file = join(this.dir, `no-session-${stamp}.md`);
      const header = `# Conversation without a session id\n\nAgent: ${this.agent}\n\n`;
      const body = this.pending.join('');
      this.pending = [];
      this.chain = this.chain.then(() => this.append(file, header, body));
    }
    await this.chain;
  }
}
