/**
 * Which messages a device may acknowledge: per conversation, only up to the highest sequence number
 * below which nothing is missing. A message that arrives after a gap (its predecessor's notice was lost
 * between server nodes, say) is shown but not acknowledged past the gap, so the server keeps the missing
 * one for this device and sends it again on the next connection or catch-up.
 *
 * Where a conversation's run starts: the server replays a device's backlog from its last
 * acknowledgement, in order, and holds live messages back until the replay is done. So the first message
 * of a conversation is either the start of its backlog (everything before it was acknowledged), or a live
 * one with nothing in the backlog, when every message up to the conversation's last one as listed before
 * connecting (`lastSeqBefore`) was acknowledged: a live message further on than the one after that means
 * the ones in between were lost on the way.
 */
export class ContiguousAcks {
  private readonly conversations = new Map<string, { upTo: number; above: Set<number> }>();

  /** `lastSeqBefore`: each conversation's last sequence number, listed before the connection was opened. */
  constructor(private readonly lastSeqBefore: ReadonlyMap<string, number> = new Map()) {}

  /**
   * Records a received message; answers what to acknowledge: the new end of the run when it moved, or
   * the current end again for a message at or below it (the server sent it again, so our last
   * acknowledgement may have been lost on the way). Nothing when the message sits past a gap.
   */
  receive(conversationId: string, seq: number): number | undefined {
    let state = this.conversations.get(conversationId);
    if (state === undefined) {
      const listed = this.lastSeqBefore.get(conversationId);
      // A conversation that did not exist when the list was read starts where its first message says.
      state = { upTo: listed === undefined || seq <= listed + 1 ? seq - 1 : listed, above: new Set() };
      this.conversations.set(conversationId, state);
    }
    if (seq <= state.upTo) return state.upTo > 0 ? state.upTo : undefined;
    state.above.add(seq);
    const before = state.upTo;
    while (state.above.delete(state.upTo + 1)) state.upTo += 1;
    return state.upTo > before ? state.upTo : undefined;
  }

  /** The highest sequence number acknowledged-or-acknowledgeable in a conversation. */
  upTo(conversationId: string): number | undefined {
    return this.conversations.get(conversationId)?.upTo;
  }

  /** Conversations with messages received past a gap, waiting for the missing ones. */
  waiting(): string[] {
    return [...this.conversations].filter(([, state]) => state.above.size > 0).map(([id]) => id);
  }
}
