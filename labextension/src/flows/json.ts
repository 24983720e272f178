/**
 * JSON read and written the way Python's `json` module does, where JavaScript differs:
 * a number written as a float (`249.0`, `1e-05`) stays a float when written back, as
 * `json.dumps` writes it. `parseJsonKeepingFloats` records, per object or array it
 * builds, which members were float literals; `stringifyLikePython` writes those with
 * Python's `repr`. Everything else is JSON.parse / JSON.stringify(…, 2).
 */

/** Holder (object or array) → the keys whose values were float literals. */
const floats = new WeakMap<object, Map<string, number>>();

/** A position in the text that is not JSON. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number
  ) {
    super(`${message} at character ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WORD = /true|false|null/y;
const SPACE = /[ \t\n\r]*/y;

class Reader {
  at = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new JsonSyntaxError(what, this.at);
  }

  skip(): void {
    SPACE.lastIndex = this.at;
    SPACE.exec(this.text);
    this.at = SPACE.lastIndex;
  }

  match(pattern: RegExp): string | null {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (found) {
      this.at = pattern.lastIndex;
      return found[0];
    }
    return null;
  }

  expect(char: string): void {
    this.skip();
    if (this.text[this.at] !== char) {
      this.fail(`expected "${char}"`);
    }
    this.at += 1;
  }

  /** Whether the next character is `char` (consumed if so). */
  take(char: string): boolean {
    this.skip();
    if (this.text[this.at] === char) {
      this.at += 1;
      return true;
    }
    return false;
  }
}

function note(holder: object, key: string, raw: string, value: unknown): void {
  if (typeof value === 'number' && /[.eE]/.test(raw)) {
    const known = floats.get(holder) ?? new Map<string, number>();
    known.set(key, value);
    floats.set(holder, known);
  }
}

function readMember(r: Reader, holder: object, key: string): unknown {
  r.skip();
  const start = r.at;
  const value = readValue(r);
  note(holder, key, r.text.slice(start, r.at), value);
  return value;
}

function readObject(r: Reader): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  if (r.take('}')) {
    return object;
  }
  do {
    r.skip();
    const key = r.match(STRING) ?? r.fail('expected a key');
    r.expect(':');
    const name = JSON.parse(key) as string;
    object[name] = readMember(r, object, name);
  } while (r.take(','));
  r.expect('}');
  return object;
}

function readArray(r: Reader): unknown[] {
  const array: unknown[] = [];
  if (r.take(']')) {
    return array;
  }
  do {
    array.push(readMember(r, array, String(array.length)));
  } while (r.take(','));
  r.expect(']');
  return array;
}

function readValue(r: Reader): unknown {
  r.skip();
  if (r.take('{')) {
    return readObject(r);
  }
  if (r.take('[')) {
    return readArray(r);
  }
  const string = r.match(STRING);
  if (string !== null) {
    return JSON.parse(string);
  }
  const number = r.match(NUMBER);
  if (number !== null) {
    return Number(number);
  }
  const word = r.match(WORD);
  return word === null ? r.fail('expected a value') : JSON.parse(word);
}

/** `text` as data, remembering which numbers were written as floats. */
export function parseJsonKeepingFloats(text: string): unknown {
  const r = new Reader(text);
  const value = readValue(r);
  r.skip();
  if (r.at < text.length) {
    r.fail('unexpected text after the value');
  }
  return value;
}

/** Python's `repr` of a float (what `json.dumps` writes). */
export function pythonFloat(x: number): string {
  if (Object.is(x, -0)) {
    return '-0.0';
  }
  const [mantissa, exp] = x.toExponential().split('e');
  const e = Number(exp);
  if (e >= -4 && e < 16) {
    const fixed = String(x);
    return fixed.includes('.') ? fixed : `${fixed}.0`;
  }
  const sign = e < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** Mark float `value` at `holder[key]` (when it was read as one) for the writer. */
function marker(nonce: string) {
  return function (this: unknown, key: string, value: unknown): unknown {
    const known = floats.get(this as object)?.get(key);
    if (typeof value === 'number' && known === value && isFinite(value)) {
      return `${nonce}${pythonFloat(value)}${nonce}`;
    }
    return value;
  };
}

/** Let `built` (made from `read` for writing) keep what `read` recorded of its floats. */
export function keepFloats(built: object, read: object): void {
  const known = floats.get(read);
  if (known) {
    floats.set(built, known);
  }
}

/**
 * `JSON.stringify(value, null, 2)`, but the numbers `parseJsonKeepingFloats` read as
 * floats written as Python writes floats.
 */
export function stringifyLikePython(value: unknown): string {
  const nonce = `\u0001f${Math.random().toString(36).slice(2)}\u0001`;
  const text = JSON.stringify(value, marker(nonce), 2);
  const escaped = JSON.stringify(nonce).slice(1, -1);
  return text.split(`"${escaped}`).join('').split(`${escaped}"`).join('');
}
