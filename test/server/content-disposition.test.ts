import { describe, expect, it } from 'vitest';
import { fileNameOf } from '#common/contract/http-client.js';
import { contentDisposition } from '#server/features/messages/attachment-download.js';

describe('the name a download is saved under', () => {
  it('survives the trip through the header, in any script', () => {
    for (const name of ['photo.png', '报告 2026（终稿）.pdf', "it's (mine) *final*.txt", 'emoji 😀.zip']) {
      expect(fileNameOf(contentDisposition(name))).toBe(name);
    }
  });

  it('never carries a path, a quote or a control character, even for an old client', () => {
    const header = contentDisposition('../../etc/"passwd"\r\nx-evil: 1');
    expect(header).not.toMatch(/[\r\n]/);
    expect(fileNameOf(header)).toBe('.._.._etc__passwd___x-evil: 1');
    expect(/filename="([^"]*)"/.exec(header)?.[1]).toBe('.._.._etc__passwd___x-evil: 1');
    expect(/filename="([^"]*)"/.exec(contentDisposition('报告.pdf'))?.[1]).toBe('__.pdf');
  });

  it('names nothing for a file sent without a name', () => {
    expect(contentDisposition(null)).toBe('attachment');
    expect(fileNameOf('attachment')).toBeUndefined();
    expect(fileNameOf(null)).toBeUndefined();
  });
});
