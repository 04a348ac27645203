/** The coordinator interface and its Messages API implementation over OkHttp, with wire records; imports nothing from Relay. */
package dev.relay.anthropic;
