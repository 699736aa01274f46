/** What the call-quality panel shows, read from RTCPeerConnection.getStats(). */
export type CallStats = {
  /** Round-trip time of the selected candidate pair, in milliseconds; undefined until measured. */
  roundTripMs: number | undefined;
  /** Of the packets that should have arrived, the share lost, in percent (over the whole call). */
  packetLossPercent: number;
  /** Bytes of media received over RTP (all tracks). */
  bytesReceived: number;
  /** Whether the path runs through a TURN relay. */
  relayed: boolean | undefined;
};

/** The fields of the stats dictionaries read below; every one may be missing in some browser. */
type StatsEntry = {
  type: string;
  id: string;
  state?: string;
  nominated?: boolean;
  selected?: boolean;
  currentRoundTripTime?: number;
  localCandidateId?: string;
  selectedCandidatePairId?: string;
  candidateType?: string;
  bytesReceived?: number;
  packetsReceived?: number;
  packetsLost?: number;
};

export async function readCallStats(connection: RTCPeerConnection): Promise<CallStats> {
  const report = await connection.getStats();
  const entries = new Map<string, StatsEntry>();
  report.forEach((value: StatsEntry) => entries.set(value.id, value));
  let pair: StatsEntry | undefined;
  let bytesReceived = 0;
  let packetsReceived = 0;
  let packetsLost = 0;
  for (const entry of entries.values()) {
    if (entry.type === 'transport' && entry.selectedCandidatePairId !== undefined) pair = entries.get(entry.selectedCandidatePairId) ?? pair;
    if (entry.type === 'candidate-pair' && pair === undefined && entry.state === 'succeeded' && (entry.nominated === true || entry.selected === true)) pair = entry;
    if (entry.type === 'inbound-rtp') {
      bytesReceived += entry.bytesReceived ?? 0;
      packetsReceived += entry.packetsReceived ?? 0;
      packetsLost += Math.max(0, entry.packetsLost ?? 0);
    }
  }
  const expected = packetsReceived + packetsLost;
  const local = pair?.localCandidateId === undefined ? undefined : entries.get(pair.localCandidateId);
  return {
    roundTripMs: pair?.currentRoundTripTime === undefined ? undefined : Math.round(pair.currentRoundTripTime * 1000),
    packetLossPercent: expected === 0 ? 0 : Math.round((packetsLost / expected) * 1000) / 10,
    bytesReceived,
    relayed: local?.candidateType === undefined ? undefined : local.candidateType === 'relay',
  };
}
