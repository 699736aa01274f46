/**
 * Chinese names in the list: sorted by pinyin among the Latin names (李娜 under L, as phones sort
 * them), and found by pinyin ("li", "lina") or by initials ("ln"). The pinyin dictionary (pinyin-pro)
 * is large, so it loads on its own, only when the book holds a Chinese name; until then Chinese names
 * sort among themselves by the pinyin collation of Intl.Collator.
 */

const han = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;

export function hasHan(text: string): boolean {
  return han.test(text);
}

interface PinyinKeys {
  /** Syllables separated by spaces, other characters kept: "li na". */
  spaced: string;
  /** Syllables run together: "lina". */
  joined: string;
  /** First letters: "ln". */
  initials: string;
}

type Converter = (name: string) => PinyinKeys;

let converter: Converter | undefined;
let loading: Promise<boolean> | undefined;
const keyCache = new Map<string, PinyinKeys>();

function collatorFor(locales: string[]): Intl.Collator {
  try {
    return new Intl.Collator(locales, { sensitivity: 'base', numeric: true });
  } catch {
    return new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
  }
}

/** Han by pinyin where the engine has the collation (every current browser); plain order otherwise. */
const pinyinCollator = collatorFor(['zh-CN-u-co-pinyin', 'zh-CN']);
const latinCollator = collatorFor(['en']);

export function pinyinReady(): boolean {
  return converter !== undefined;
}

/** Loads the dictionary once; resolves false when it cannot be loaded (offline before it was cached). */
export function loadPinyin(): Promise<boolean> {
  loading ??= import('pinyin-pro').then(
    ({ pinyin }) => {
      converter = (name) => {
        const syllables = pinyin(name, { toneType: 'none', type: 'array', surname: 'head', nonZh: 'consecutive' }).map((part) => part.toLowerCase().trim());
        const words = syllables.filter((part) => part !== '');
        return { spaced: words.join(' '), joined: words.join(''), initials: words.map((word) => word[0] ?? '').join('') };
      };
      return true;
    },
    (error: unknown) => {
      console.warn('the pinyin dictionary could not be loaded', error);
      loading = undefined;
      return false;
    },
  );
  return loading;
}

function keysOf(name: string): PinyinKeys | undefined {
  if (converter === undefined || !hasHan(name)) return undefined;
  let keys = keyCache.get(name);
  if (keys === undefined) {
    keys = converter(name);
    keyCache.set(name, keys);
  }
  return keys;
}

/** The order of the contact list: by pinyin for Chinese names once the dictionary is there. */
export function compareNames(a: string, b: string): number {
  const keyA = keysOf(a)?.spaced;
  const keyB = keysOf(b)?.spaced;
  if (keyA !== undefined || keyB !== undefined) {
    const byKey = latinCollator.compare(keyA ?? a, keyB ?? b);
    if (byKey !== 0) return byKey;
  }
  return pinyinCollator.compare(a, b);
}

/** True when a Latin query ("li", "lina", "ln", "li na") matches the pinyin of a Chinese name. */
export function matchesPinyin(name: string, query: string): boolean {
  const compact = query.toLowerCase().replace(/\s+/g, '');
  if (compact === '' || !/^[a-z]+$/.test(compact)) return false;
  const keys = keysOf(name);
  if (keys === undefined) return false;
  return keys.joined.includes(compact) || keys.initials.startsWith(compact);
}
