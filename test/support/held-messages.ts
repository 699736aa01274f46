import type { ChatMessage } from '#common/contract/messages.js';

/**
 * What a device holds of each conversation, as a client must count it before acknowledging: the highest
 * seq below which nothing is missing, and what it holds beyond a gap. A message whose notice was lost
 * comes later from the database, and acknowledging past it would tell the server this device has it.
 * (A device that never held anything in a conversation starts counting from the first message it sees.)
 */
export class HeldMessages {
  private readonly runs = new Map<string, { upTo: number; beyond: Set<number> }>();

  /** Counts a message as held (a received one, or the device's own from its send's answer); the run held without a gap. */
  hold(message: Pick<ChatMessage, 'conversationId' | 'seq'>): number {
    const run = this.runs.get(message.conversationId) ?? { upTo: message.seq - 1, beyond: new Set<number>() };
    this.runs.set(message.conversationId, run);
    if (message.seq > run.upTo) run.beyond.add(message.seq);
    while (run.beyond.delete(run.upTo + 1)) run.upTo += 1;
    return run.upTo;
  }
}
