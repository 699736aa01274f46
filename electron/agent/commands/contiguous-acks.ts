/**
 * Which messages a device may acknowledge: per conversation, only up to the highest sequence number
 * below which nothing is missing. A message that arrives after a gap (its predecessor's notice was lost
 * between server nodes, say) is shown but not acknowledged past the gap, so the server keeps the missing
 * one for this device and sends it again on the next connection or catch-up.
 *
 * The starting point of a conversation is the first message of it this process receives: the server
 * replays a device's backlog from its last acknowledgement, in order, before any live message.
 */
export class ContiguousAcks {
  private readonly conversations = new Map<string, { upTo: number; above: Set<number> }>();

  /**
   * Records a received message; answers what to acknowledge: the new end of the run when it moved, or
   * the current end again for a message at or below it (the server sent it again, so our last
   * acknowledgement may have been lost on the way). Nothing when the message sits past a gap.
   */
  receive(conversationId: string, seq: number): number | undefined {
    let state = this.conversations.get(conversationId);
    if (state === undefined) {
      state = { upTo: seq - 1, above: new Set() };
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
