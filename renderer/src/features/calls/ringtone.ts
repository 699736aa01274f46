/**
 * A ringtone made with WebAudio, so no sound file ships: two short 440+480 Hz bursts every three seconds
 * (the North American ring cadence) for an incoming call, a single softer 425 Hz tone every four seconds
 * while my own call rings out. Browsers only start audio after a gesture on the page; if they refuse, the
 * call still shows on screen (and in a notification).
 */
export type Tone = 'incoming' | 'ringback';

const patterns: Record<Tone, { frequencies: number[]; bursts: [start: number, length: number][]; period: number; gain: number }> = {
  incoming: { frequencies: [440, 480], bursts: [[0, 0.4], [0.6, 0.4]], period: 3, gain: 0.12 },
  ringback: { frequencies: [425], bursts: [[0, 1]], period: 4, gain: 0.05 },
};

export class Ringtone {
  private context: AudioContext | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  start(tone: Tone): void {
    this.stop();
    if (typeof AudioContext === 'undefined') return;
    const context = new AudioContext();
    this.context = context;
    const pattern = patterns[tone];
    const ring = () => {
      const at = context.currentTime + 0.05;
      for (const [start, length] of pattern.bursts) {
        const gain = context.createGain();
        gain.gain.setValueAtTime(0, at + start);
        // Short ramps: an abrupt start or stop clicks.
        gain.gain.linearRampToValueAtTime(pattern.gain, at + start + 0.02);
        gain.gain.setValueAtTime(pattern.gain, at + start + length - 0.02);
        gain.gain.linearRampToValueAtTime(0, at + start + length);
        gain.connect(context.destination);
        for (const frequency of pattern.frequencies) {
          const oscillator = context.createOscillator();
          oscillator.frequency.value = frequency;
          oscillator.connect(gain);
          oscillator.start(at + start);
          oscillator.stop(at + start + length);
        }
      }
    };
    void context.resume().catch(() => undefined);
    ring();
    this.timer = setInterval(ring, pattern.period * 1000);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    void this.context?.close().catch(() => undefined);
    this.context = undefined;
  }
}
