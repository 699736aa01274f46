import {
  siDiscord,
  siElement,
  siLine,
  siMastodon,
  siQq,
  siSignal,
  siTelegram,
  siThunderbird,
  siViber,
  siWechat,
  siWhatsapp,
  siZoom,
  type SimpleIcon,
} from 'simple-icons';

/**
 * Where each built-in plugin's mark comes from. simple-icons (CC0) carries most networks; Slack and
 * Microsoft Teams were removed from it at the brands' request, so those two get a drawn fallback: a
 * symbol that says what the network is about in its colour, not an imitation of the trademark, and
 * no bare letter (a letter is what made Slack and Signal, or Teams and Telegram, look alike).
 */
export type MarkSource =
  | { kind: 'simple-icons'; icon: SimpleIcon }
  | { kind: 'fallback'; title: string; hex: string; draw(fill: string): string; note: string };

/** A hash of four rounded bars: the channel sign chat apps share, in Slack's aubergine. */
const slackFallback: MarkSource = {
  kind: 'fallback',
  title: 'Slack',
  hex: '4A154B',
  note: 'not in simple-icons (removed at the brand\'s request): a drawn channel hash in Slack\'s colour',
  draw: (fill) =>
    `<path fill="none" stroke="${fill}" stroke-width="3.4" stroke-linecap="round" d="M9.2 3.2 7.6 20.8M16.4 3.2l-1.6 17.6M3.4 8.6h17.4M3.2 15.4h17.4"/>`,
};

/** A tile with a cut-out "T" and a person beside it: a team, in Teams' indigo. */
const teamsFallback: MarkSource = {
  kind: 'fallback',
  title: 'Microsoft Teams',
  hex: '6264A7',
  note: 'not in simple-icons (removed at the brand\'s request): a drawn team tile in Teams\' colour',
  draw: (fill) =>
    [
      `<circle cx="19.2" cy="5.6" r="3.1" fill="${fill}"/>`,
      `<path fill="${fill}" d="M17 10.2h4.6c.8 0 1.4.6 1.4 1.4v5.2a4 4 0 0 1-4 4h-2z"/>`,
      `<path fill="${fill}" fill-rule="evenodd" d="M3 5h11a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2zm2.4 3.6v2.2h2.9v6.8h2.4v-6.8h2.9V8.6z"/>`,
    ].join(''),
};

export const MARKS: Record<string, MarkSource> = {
  discord: { kind: 'simple-icons', icon: siDiscord },
  element: { kind: 'simple-icons', icon: siElement },
  line: { kind: 'simple-icons', icon: siLine },
  mastodon: { kind: 'simple-icons', icon: siMastodon },
  qq: { kind: 'simple-icons', icon: siQq },
  signal: { kind: 'simple-icons', icon: siSignal },
  slack: slackFallback,
  teams: teamsFallback,
  telegram: { kind: 'simple-icons', icon: siTelegram },
  thunderbird: { kind: 'simple-icons', icon: siThunderbird },
  viber: { kind: 'simple-icons', icon: siViber },
  wechat: { kind: 'simple-icons', icon: siWechat },
  whatsapp: { kind: 'simple-icons', icon: siWhatsapp },
  zoom: { kind: 'simple-icons', icon: siZoom },
};
