// The agent's tracker tools, served in-process over MCP. Each call validates its arguments and
// drops one JSON file for the relay to forward (CONTRACT.md section 6, "Agent to tracker").

import { createSdkMcpServer, tool } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import { join } from 'node:path';
import { writeJsonAtomically } from './files.js';

export const SERVER_NAME = 'tracker';

// Ids end up in the tracker's URL paths; keep them to plain id characters.
const id = (what) =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, `${what} must be an id (letters, digits, "_", ".", ":", "-")`)
    .describe(`The ${what}`);
const text = (what) =>
  z
    .string()
    .min(1)
    .max(100_000)
    .regex(/\S/, `${what} must not be blank`)
    .describe(what);
const status = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'status must be a lower-case status name such as in_progress')
  .describe('The new status, as the tracker names it: for example todo, in_progress, review, blocked, done');

/**
 * The five tools as plain definitions (name, description, zod shape, what they write), so tests
 * and the MCP server share one table.
 */
export const TRACKER_TOOLS = Object.freeze([
  {
    name: 'send_chat_message',
    description: 'Post a message to a tracker chat. The relay delivers it as coming from this agent.',
    shape: { chat_id: id('chat id'), content: text('The message text') },
    dir: 'messages',
    file: (args, ctx) => ({ type: 'chat_message', chat_id: args.chat_id, content: args.content, sender_name: ctx.agentName }),
    done: (args) => `Message queued for chat ${args.chat_id}.`,
  },
  {
    name: 'update_task_status',
    description: "Set a tracker task's status.",
    shape: { task_id: id('task id'), status },
    dir: 'tasks',
    file: (args) => ({ type: 'task_status', task_id: args.task_id, status: args.status }),
    done: (args) => `Status of task ${args.task_id} set to ${args.status} (queued).`,
  },
  {
    name: 'comment_on_task',
    description: 'Add a comment to a tracker task.',
    shape: { task_id: id('task id'), content: text('The comment text') },
    dir: 'tasks',
    file: (args) => ({ type: 'task_comment', task_id: args.task_id, content: args.content }),
    done: (args) => `Comment on task ${args.task_id} queued.`,
  },
  {
    name: 'take_task',
    description: 'Take a tracker task: assign it to this agent and mark it in progress.',
    shape: { task_id: id('task id') },
    dir: 'tasks',
    file: (args) => ({ type: 'task_take', task_id: args.task_id }),
    done: (args) => `Task ${args.task_id} taken (queued).`,
  },
  {
    name: 'complete_task',
    description: 'Mark a tracker task as done.',
    shape: { task_id: id('task id') },
    dir: 'tasks',
    file: (args) => ({ type: 'task_complete', task_id: args.task_id }),
    done: (args) => `Task ${args.task_id} marked done (queued).`,
  },
]);

/**
 * Runs one tool: validates `args` (the MCP server validates too; this keeps a direct call just as
 * strict), redacts secrets from the texts and writes the file. Returns an MCP CallToolResult.
 */
export async function callTrackerTool(def, args, ctx) {
  const parsed = z.object(def.shape).safeParse(args ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
    return { isError: true, content: [{ type: 'text', text: `${def.name}: invalid arguments: ${problems}` }] };
  }
  const value = def.file(parsed.data, ctx);
  for (const key of ['content', 'sender_name']) if (typeof value[key] === 'string') value[key] = ctx.redact(value[key]);
  try {
    const path = await writeJsonAtomically(join(ctx.ipcDir, def.dir), value);
    ctx.log(`${def.name}: wrote ${path}`);
  } catch (err) {
    ctx.log(`${def.name}: cannot write: ${err.message}`);
    return { isError: true, content: [{ type: 'text', text: `${def.name} failed: ${err.code ?? err.message}` }] };
  }
  return { content: [{ type: 'text', text: def.done(parsed.data) }] };
}

/**
 * The in-process MCP server for query()'s `mcpServers`; the model sees the tools as
 * mcp__tracker__<name>.
 * @param ctx {ipcDir, agentName, redact, log}
 */
export function createTrackerServer(ctx) {
  const tools = TRACKER_TOOLS.map((def) => tool(def.name, def.description, def.shape, (args) => callTrackerTool(def, args, ctx)));
  // Five small tools: always in the prompt rather than deferred behind tool search.
  return createSdkMcpServer({ name: SERVER_NAME, version: '1.0.0', tools, alwaysLoad: true });
}
