/** The conversation history (state/conversation.jsonl): turns, their usage, summaries; imports files. */
package dev.relay.conversation;
