/**
 * The relay loop and its collaborators; imports the feature packages, never cli or a UI. {@code RelayLoop} owns the
 * one thread and what wakes it; {@code RelayRound}, one round on that thread, owns the step order, the events
 * ({@code RelayEvent}) and the status ({@code StatusKeeper} writes it). The collaborators it calls change their own
 * state and answer values, most of them {@code Effect}s the round tells: {@code Intake} (queue/ screened and taken,
 * several at once for a batch), {@code WorkItem} (an envelope, an operator message, a batch or a follow-up),
 * {@code OperatorInbox} (jc_input.txt and direct messages), {@code Recovery} (what a
 * restart finds half done), {@code TurnRunner} (the open turn and its coordinator call) over {@code Turns} (requests,
 * usage, summaries), {@code TurnFinisher} (a turn's durable steps, {@code TurnStep}), {@code Delivery} (replies handed
 * to sessions, blocked sessions), {@code RetryPolicy} with {@code Retry} (when to try again), {@code IoFaults} with
 * {@code RepeatedWarning} (the relay's own file failures), {@code PauseKeeper} (pause.json), {@code Keyring} (settings
 * and the coordinator, secrets re-read), {@code StatusSchedule} and {@code StatusBuilder} (when and what status.json
 * says), {@code StuckQueue}, {@code DirectoryWatch} and {@code CachePlanner}.
 */
package dev.relay.relay;
