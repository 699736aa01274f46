/**
 * Where a JSON text stops being JSON. Node 20's `JSON.parse` reports a position only for some
 * errors (and none for "Unexpected token ... is not valid JSON"), so a short scanner finds it.
 */
export interface TextLocation {
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like editors count. */
  column: number;
}

export function locationOf(text: string, offset: number): TextLocation {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { offset, line: before.split('\n').length, column: offset - lineStart + 1 };
}

class JsonScanner {
  private offset = 0;

  constructor(private readonly text: string) {}

  /** Offset of the first character that cannot continue valid JSON, or undefined when valid. */
  firstError(): number | undefined {
    try {
      this.skipSpace();
      this.value();
      this.skipSpace();
      return this.offset < this.text.length ? this.offset : undefined;
    } catch (error) {
      if (error instanceof ScanError) return error.offset;
      throw error;
    }
  }

  private fail(): never {
    throw new ScanError(this.offset);
  }

  private skipSpace(): void {
    while (/[ \t\n\r]/.test(this.text[this.offset] ?? '')) this.offset += 1;
  }

  private expect(char: string): void {
    if (this.text[this.offset] !== char) this.fail();
    this.offset += 1;
  }

  private value(): void {
    const char = this.text[this.offset];
    if (char === '{') return this.object();
    if (char === '[') return this.array();
    if (char === '"') return this.string();
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.offset)) {
        this.offset += literal.length;
        return;
      }
    }
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.offset));
    if (number === null) this.fail();
    this.offset += number[0].length;
  }

  private object(): void {
    this.expect('{');
    this.skipSpace();
    if (this.text[this.offset] === '}') {
      this.offset += 1;
      return;
    }
    for (;;) {
      this.skipSpace();
      this.string();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      this.value();
      this.skipSpace();
      if (this.text[this.offset] === '}') {
        this.offset += 1;
        return;
      }
      this.expect(',');
    }
  }

  private array(): void {
    this.expect('[');
    this.skipSpace();
    if (this.text[this.offset] === ']') {
      this.offset += 1;
      return;
    }
    for (;;) {
      this.skipSpace();
      this.value();
      this.skipSpace();
      if (this.text[this.offset] === ']') {
        this.offset += 1;
        return;
      }
      this.expect(',');
    }
  }

  private string(): void {
    this.expect('"');
    for (;;) {
      const char = this.text[this.offset];
      if (char === undefined || char < ' ') this.fail();
      if (char === '"') {
        this.offset += 1;
        return;
      }
      if (char === '\\') {
        const escape = /^\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.exec(this.text.slice(this.offset, this.offset + 6));
        if (escape === null) this.fail();
        this.offset += escape[0].length;
      } else {
        this.offset += 1;
      }
    }
  }
}

class ScanError extends Error {
  constructor(readonly offset: number) {
    super(`invalid JSON at ${offset}`);
  }
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string; location: TextLocation };

/** `JSON.parse` that explains a failure with a line and column instead of throwing. */
export function parseJsonWithLocation(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const offset = new JsonScanner(text).firstError() ?? text.length;
    const location = locationOf(text, offset);
    const found = text[offset];
    const what = found === undefined ? 'the text ends too early' : `unexpected ${JSON.stringify(found)}`;
    const reason = error instanceof Error ? error.message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '') : String(error);
    return { ok: false, location, message: `invalid JSON at line ${location.line}, column ${location.column}: ${what} (${reason})` };
  }
}
