// Telling the legacy code pages apart. Nothing in a GBK, Big5, Shift_JIS or EUC-KR file says which it
// is, and their byte ranges overlap (GB2312 Chinese is valid EUC-KR Hangul and the reverse), so each
// candidate that decodes the file without error is scored by how much its text looks like what people
// write in an address book: common surnames and name characters, kana, Hangul, letters of one alphabet.

/** The multi-byte East Asian code pages, then the Windows single-byte ones, in order of preference on a tie. */
export const legacyEncodings = ['gb18030', 'big5', 'shift_jis', 'euc-kr', 'windows-1252', 'windows-1251', 'windows-1250', 'windows-1253'] as const;

// Most frequent surnames and given-name characters, in each script (a handful of typical address-book words too).
const commonSimplified = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国文志海波小大先生女士老师电话手机公司家';
const commonTraditional = '王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓馮鄧曹彭曾蕭田董袁潘蔣蔡余杜葉程蘇魏呂丁任沈姚盧姜崔鍾譚陸汪范金石廖賈夏韋方白鄒孟熊秦邱江尹薛段雷侯龍史陶黎賀顧毛郝龔邵萬錢嚴武戴莫孔湯偉芳娜敏靜麗強磊軍洋勇艷傑娟濤明超秀霞平剛桂英華玉蘭紅建國文志海波小大先生女士老師電話手機公司家';
const commonJapanese = '佐藤鈴木高橋田中伊渡辺山本中村小林加吉松井上木清水森池口阿部斎石川前藤原岡後長野村近坂遠青西田太郎子美一二三和夫幸恵会社携帯自宅';
const commonHangul = '이김박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진지엄채원천방공현함변염석선설마길연위표명기반왕금옥육인맹제모탁국여은용경봉사부가복태목형두동온호범상단도수영준혜희미재아훈철숙자순광나다라대화번휴폰회집';
const commonCharacters = new Set([...commonSimplified, ...commonTraditional, ...commonJapanese, ...commonHangul]);

type Script = 'han' | 'kana' | 'hangul' | 'latin' | 'cyrillic' | 'greek' | 'other';

function scriptOf(code: number): Script {
  if (code >= 0x4e00 && code <= 0x9fff) return 'han';
  if (code >= 0x3040 && code <= 0x30ff) return 'kana';
  if (code >= 0xac00 && code <= 0xd7a3) return 'hangul';
  if ((code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7)) return 'latin';
  if (code >= 0x400 && code <= 0x4ff) return 'cyrillic';
  if (code >= 0x370 && code <= 0x3ff) return 'greek';
  return 'other';
}

/**
 * How plausible `text` is as an address book's non-ASCII content, per non-ASCII character: replacement
 * characters, private-use and C1 controls count against, common name characters count most, and text
 * that mixes several alphabets (what a wrong single-byte code page produces) counts little.
 */
export function plausibility(text: string): number {
  let score = 0;
  let counted = 0;
  const scripts = new Map<Script, number>();
  const chars = [...text];
  chars.forEach((char, index) => {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x80) return;
    counted += 1;
    if (code === 0xfffd || (code >= 0xe000 && code <= 0xf8ff) || (code >= 0x80 && code <= 0x9f)) {
      score -= 5;
      return;
    }
    // Half-width katakana is what Shift_JIS makes of Chinese or Korean bytes; nobody types it in names today.
    if (code >= 0xff61 && code <= 0xff9f) {
      score -= 1;
      return;
    }
    const script = scriptOf(code);
    scripts.set(script, (scripts.get(script) ?? 0) + 1);
    if (commonCharacters.has(char)) score += 3;
    else if (script === 'kana') score += 2;
    // An accented Latin letter sits next to plain ones ("José"); a run of them is another alphabet misread.
    else if (script === 'latin') score += isAsciiLetter(chars[index - 1]) || isAsciiLetter(chars[index + 1]) ? 1 : 0.2;
    else if (script === 'cyrillic' || script === 'greek') score += 1;
    else if (script === 'han' || script === 'hangul') score += 0.3;
  });
  if (counted === 0) return 0;
  const dominant = Math.max(0, ...scripts.values());
  // One alphabet per name: Cyrillic read as cp1252 gives "Èâàí", a soup of Latin letters and symbols.
  const coherence = dominant / counted;
  return (score / counted) * coherence;
}

function isAsciiLetter(char: string | undefined): boolean {
  return char !== undefined && /^[A-Za-z]$/.test(char);
}

export interface RankedEncoding {
  encoding: string;
  score: number;
}

/** Ranks the decodings of the same bytes, best first; ties keep the order of `legacyEncodings`. */
export function rankDecodings(decodings: { encoding: string; text: string }[]): RankedEncoding[] {
  return decodings
    .map((decoding, order) => ({ encoding: decoding.encoding, score: plausibility(decoding.text), order }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ encoding, score }) => ({ encoding, score }));
}

/** A guess is sure when the best reading is clearly ahead of the next; otherwise the user should choose. */
export function isClearWinner(ranked: readonly RankedEncoding[]): boolean {
  const [best, second] = ranked;
  if (best === undefined) return false;
  if (second === undefined) return best.score > 0;
  return best.score > 0 && best.score >= second.score * 1.5 + 0.2;
}
