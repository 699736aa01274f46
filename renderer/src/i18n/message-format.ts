/**
 * A small ICU MessageFormat subset, enough for our catalogues: `{name}` places a parameter, and
 * `{count, plural, =0 {…} one {# contact} other {# contacts}}` picks a form by the language's plural
 * rules (Intl.PluralRules), with `#` standing for the number written the language's way. Chinese has
 * only the `other` form, so its messages need no plural block at all.
 */

export type MessageParams = Readonly<Record<string, string | number>>;

/** Index of the `}` closing the `{` at `open`, or -1 when the braces do not balance. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    if (text[index] === '{') depth += 1;
    else if (text[index] === '}') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return -1;
}

/** `=0 {none} one {# item} other {# items}` as selector/text pairs, in order. */
function pluralOptions(body: string): Map<string, string> {
  const options = new Map<string, string>();
  let index = 0;
  while (index < body.length) {
    const selector = /^\s*(=\d+|zero|one|two|few|many|other)\s*\{/.exec(body.slice(index));
    if (selector === null || selector[1] === undefined) break;
    const open = index + selector[0].length - 1;
    const close = closingBrace(body, open);
    if (close === -1) break;
    options.set(selector[1], body.slice(open + 1, close));
    index = close + 1;
  }
  return options;
}

const pluralRulesCache = new Map<string, Intl.PluralRules>();
function pluralRules(locale: string): Intl.PluralRules {
  let rules = pluralRulesCache.get(locale);
  if (rules === undefined) {
    rules = new Intl.PluralRules(locale);
    pluralRulesCache.set(locale, rules);
  }
  return rules;
}

function formatNumber(locale: string, value: number): string {
  return new Intl.NumberFormat(locale).format(value);
}

function formatPlural(locale: string, body: string, value: number, params: MessageParams): string | undefined {
  const options = pluralOptions(body);
  const chosen = options.get(`=${value}`) ?? options.get(pluralRules(locale).select(value)) ?? options.get('other');
  if (chosen === undefined) return undefined;
  // `#` belongs to this block only; nested blocks were already cut out by the brace matching.
  return formatMessage(locale, chosen.replace(/#/g, formatNumber(locale, value)), params);
}

/** Formats `template` for `locale`; an unknown parameter stays visible as `{name}` so a test can catch it. */
export function formatMessage(locale: string, template: string, params: MessageParams = {}): string {
  let out = '';
  let index = 0;
  while (index < template.length) {
    const open = template.indexOf('{', index);
    if (open === -1) {
      out += template.slice(index);
      break;
    }
    out += template.slice(index, open);
    const close = closingBrace(template, open);
    if (close === -1) {
      out += template.slice(open);
      break;
    }
    const inner = template.slice(open + 1, close);
    const plural = /^\s*(\w+)\s*,\s*plural\s*,([\s\S]*)$/.exec(inner);
    if (plural !== null && plural[1] !== undefined && plural[2] !== undefined) {
      const value = Number(params[plural[1]]);
      const formatted = Number.isFinite(value) ? formatPlural(locale, plural[2], value, params) : undefined;
      out += formatted ?? template.slice(open, close + 1);
    } else {
      const name = inner.trim();
      const value = params[name];
      out += value === undefined ? template.slice(open, close + 1) : typeof value === 'number' ? formatNumber(locale, value) : value;
    }
    index = close + 1;
  }
  return out;
}
