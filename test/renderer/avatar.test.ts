import { describe, expect, it } from 'vitest';
import { avatarTones, initialsOf, toneOf } from '#renderer/ui/avatar.js';

describe('avatars', () => {
  it('take initials the way messaging apps do', () => {
    expect(initialsOf('Alice Chen')).toBe('AC');
    expect(initialsOf('alice')).toBe('A');
    expect(initialsOf('Konstantinos Alexander Papadopoulos-Worthington (Athens office, mobile)')).toBe('KP');
    expect(initialsOf('李娜')).toBe('李');
    expect(initialsOf('  ')).toBe('#');
    expect(initialsOf('+86 138 0013 8000')).toBe('#');
    expect(initialsOf('Émile Zola')).toBe('ÉZ');
  });

  it('give each person a stable tone, spread over the palette', () => {
    expect(toneOf('ref-1')).toBe(toneOf('ref-1'));
    const tones = new Set(Array.from({ length: 200 }, (_, index) => toneOf(`ref-${index}`)));
    expect(tones.size).toBe(avatarTones);
  });
});
