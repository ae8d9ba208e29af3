/**
 * The parts of Go's encoding/json the anchor's Go cp-stub exposes on the wire, reproduced so this
 * stub answers byte for byte the same:
 *  - `encodeGoJson`: `json.NewEncoder(w).Encode(v)` (compact, HTML-safe escapes, trailing "\n");
 *  - `decodeGoStringStruct`: `json.NewDecoder(r.Body).Decode(&req)` into a struct of string fields,
 *    with Go's error texts ("EOF", "unexpected EOF", "invalid character 'x' looking for …",
 *    "json: cannot unmarshal number into Go struct field T.slug of type string"), its leniencies
 *    (only the first value is read, trailing bytes are ignored; keys match case-insensitively) and
 *    its UTF-8 repair (each invalid byte becomes U+FFFD).
 * JSON.parse differs on all of these, hence the port (of Go 1.25's scanner.go / decode.go).
 */

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Go's Encoder: compact JSON, `<` `>` `&` U+2028 U+2029 escaped as \u00xx, invalid UTF-8 (which
 * reaches us as lone surrogates, see go-url.ts) as \ufffd, plus the encoder's trailing newline.
 * Key order is the object's insertion order: build values in the order the Go structs declare.
 */
export function encodeGoJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError("encodeGoJson: value is not JSON-encodable");
  // Escape pairs are consumed whole so an escaped backslash followed by "ud800" text is left alone.
  const escaped = json.replace(/\\ud[89a-f][0-9a-f]{2}|\\.|[<>&\u2028\u2029]/g, (m) => {
    if (m.length === 6) return "\\ufffd";
    if (m.length === 2) return m;
    return `\\u${m.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `${escaped}\n`;
}

// ---------------------------------------------------------------------------------------------
// UTF-8 as Go decodes it: every byte that does not start a valid sequence is one RuneError.

/**
 * Decodes UTF-8 the way Go's utf8.DecodeRune walks it. `invalid` chooses what an invalid byte
 * becomes: "replace" → U+FFFD (what json string decoding stores), "keep" → the lone surrogate
 * U+DC00+byte, so the byte survives and encodeGoJson can render it as Go does (\ufffd).
 */
export function decodeUtf8Go(bytes: Uint8Array, invalid: "replace" | "keep"): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const size = validSequenceLength(bytes, i);
    if (size === 0) {
      out += invalid === "replace" ? "\ufffd" : String.fromCharCode(0xdc00 + bytes[i]);
      i += 1;
    } else {
      out += Buffer.from(bytes.subarray(i, i + size)).toString("utf8");
      i += size;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i` (RFC 3629 ranges), or 0 if none. */
function validSequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean =>
    i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Scanning: a port of Go's scanner state machine, for its exact syntax error messages.

const enum Scan {
  Continue,
  BeginLiteral,
  BeginObject,
  ObjectKey,
  ObjectValue,
  EndObject,
  BeginArray,
  ArrayValue,
  EndArray,
  SkipSpace,
  End,
  Error,
}

const enum Parse {
  ObjectKey,
  ObjectValue,
  ArrayValue,
}

const MAX_NESTING_DEPTH = 10000;

type Step = (s: Scanner, c: number) => Scan;

interface Scanner {
  step: Step;
  parseState: Parse[];
  err: string | null;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** Go's quoteChar: how a byte is shown in "invalid character …" (the byte is read as U+00XX). */
export function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  return `'${goQuoteRune(c)}'`;
}

/** strconv.Quote's escaping of one rune below U+0100, without the surrounding quotes. */
function goQuoteRune(r: number): string {
  const named: Record<number, string> = {
    7: "\\a",
    8: "\\b",
    12: "\\f",
    10: "\\n",
    13: "\\r",
    9: "\\t",
    11: "\\v",
  };
  if (r === 0x5c) return "\\\\";
  if (named[r] !== undefined) return named[r];
  if (r < 0x20 || r === 0x7f) return `\\x${r.toString(16).padStart(2, "0")}`;
  // Go's IsPrint for Latin-1: C1 controls, NBSP and the soft hyphen are not printable.
  if ((r >= 0x80 && r <= 0xa0) || r === 0xad) return `\\u${r.toString(16).padStart(4, "0")}`;
  return String.fromCharCode(r);
}

function fail(s: Scanner, c: number, context: string): Scan {
  s.step = stateError;
  s.err = `invalid character ${quoteChar(c)} ${context}`;
  return Scan.Error;
}

function pushParseState(s: Scanner, c: number, state: Parse, success: Scan): Scan {
  s.parseState.push(state);
  return s.parseState.length <= MAX_NESTING_DEPTH ? success : fail(s, c, "exceeded max depth");
}

function popParseState(s: Scanner): void {
  s.parseState.pop();
  s.step = s.parseState.length === 0 ? stateEndTop : stateEndValue;
}

const stateError: Step = () => Scan.Error;

const stateEndTop: Step = (s, c) => {
  // Go records "after top-level value" for a later call; the Decoder stops before making it.
  if (!isSpace(c)) s.err ??= `invalid character ${quoteChar(c)} after top-level value`;
  return Scan.End;
};

const stateBeginValue: Step = (s, c) => {
  if (isSpace(c)) return Scan.SkipSpace;
  switch (c) {
    case 0x7b: // {
      s.step = stateBeginStringOrEmpty;
      return pushParseState(s, c, Parse.ObjectKey, Scan.BeginObject);
    case 0x5b: // [
      s.step = stateBeginValueOrEmpty;
      return pushParseState(s, c, Parse.ArrayValue, Scan.BeginArray);
    case 0x22: // "
      s.step = stateInString;
      return Scan.BeginLiteral;
    case 0x2d: // -
      s.step = stateNeg;
      return Scan.BeginLiteral;
    case 0x30: // 0
      s.step = state0;
      return Scan.BeginLiteral;
    case 0x74: // t
      s.step = literal("true", 1);
      return Scan.BeginLiteral;
    case 0x66: // f
      s.step = literal("false", 1);
      return Scan.BeginLiteral;
    case 0x6e: // n
      s.step = literal("null", 1);
      return Scan.BeginLiteral;
  }
  if (c >= 0x31 && c <= 0x39) {
    s.step = state1;
    return Scan.BeginLiteral;
  }
  return fail(s, c, "looking for beginning of value");
};

const stateBeginValueOrEmpty: Step = (s, c) => {
  if (isSpace(c)) return Scan.SkipSpace;
  if (c === 0x5d) return stateEndValue(s, c);
  return stateBeginValue(s, c);
};

const stateBeginStringOrEmpty: Step = (s, c) => {
  if (isSpace(c)) return Scan.SkipSpace;
  if (c === 0x7d) {
    s.parseState[s.parseState.length - 1] = Parse.ObjectValue;
    return stateEndValue(s, c);
  }
  return stateBeginString(s, c);
};

const stateBeginString: Step = (s, c) => {
  if (isSpace(c)) return Scan.SkipSpace;
  if (c === 0x22) {
    s.step = stateInString;
    return Scan.BeginLiteral;
  }
  return fail(s, c, "looking for beginning of object key string");
};

const stateEndValue: Step = (s, c) => {
  const n = s.parseState.length;
  if (n === 0) {
    s.step = stateEndTop;
    return stateEndTop(s, c);
  }
  if (isSpace(c)) {
    s.step = stateEndValue;
    return Scan.SkipSpace;
  }
  switch (s.parseState[n - 1]) {
    case Parse.ObjectKey:
      if (c === 0x3a) {
        s.parseState[n - 1] = Parse.ObjectValue;
        s.step = stateBeginValue;
        return Scan.ObjectKey;
      }
      return fail(s, c, "after object key");
    case Parse.ObjectValue:
      if (c === 0x2c) {
        s.parseState[n - 1] = Parse.ObjectKey;
        s.step = stateBeginString;
        return Scan.ObjectValue;
      }
      if (c === 0x7d) {
        popParseState(s);
        return Scan.EndObject;
      }
      return fail(s, c, "after object key:value pair");
    case Parse.ArrayValue:
      if (c === 0x2c) {
        s.step = stateBeginValue;
        return Scan.ArrayValue;
      }
      if (c === 0x5d) {
        popParseState(s);
        return Scan.EndArray;
      }
      return fail(s, c, "after array element");
  }
};

const stateInString: Step = (s, c) => {
  if (c === 0x22) {
    s.step = stateEndValue;
    return Scan.Continue;
  }
  if (c === 0x5c) {
    s.step = stateInStringEsc;
    return Scan.Continue;
  }
  if (c < 0x20) return fail(s, c, "in string literal");
  return Scan.Continue;
};

const stateInStringEsc: Step = (s, c) => {
  if ('bfnrt\\/"'.includes(String.fromCharCode(c))) {
    s.step = stateInString;
    return Scan.Continue;
  }
  if (c === 0x75) {
    s.step = hexEscape(4);
    return Scan.Continue;
  }
  return fail(s, c, "in string escape code");
};

/** The four states after "\u": `left` hex digits still expected. */
function hexEscape(left: number): Step {
  return (s, c) => {
    if (!isHex(c)) return fail(s, c, "in \\u hexadecimal character escape");
    s.step = left === 1 ? stateInString : hexEscape(left - 1);
    return Scan.Continue;
  };
}

const stateNeg: Step = (s, c) => {
  if (c === 0x30) {
    s.step = state0;
    return Scan.Continue;
  }
  if (c >= 0x31 && c <= 0x39) {
    s.step = state1;
    return Scan.Continue;
  }
  return fail(s, c, "in numeric literal");
};

const state1: Step = (s, c) => {
  if (isDigit(c)) return Scan.Continue;
  return state0(s, c);
};

const state0: Step = (s, c) => {
  if (c === 0x2e) {
    s.step = stateDot;
    return Scan.Continue;
  }
  if (c === 0x65 || c === 0x45) {
    s.step = stateE;
    return Scan.Continue;
  }
  return stateEndValue(s, c);
};

const stateDot: Step = (s, c) => {
  if (isDigit(c)) {
    s.step = stateDot0;
    return Scan.Continue;
  }
  return fail(s, c, "after decimal point in numeric literal");
};

const stateDot0: Step = (s, c) => {
  if (isDigit(c)) return Scan.Continue;
  if (c === 0x65 || c === 0x45) {
    s.step = stateE;
    return Scan.Continue;
  }
  return stateEndValue(s, c);
};

const stateE: Step = (s, c) => {
  if (c === 0x2b || c === 0x2d) {
    s.step = stateESign;
    return Scan.Continue;
  }
  return stateESign(s, c);
};

const stateESign: Step = (s, c) => {
  if (isDigit(c)) {
    s.step = stateE0;
    return Scan.Continue;
  }
  return fail(s, c, "in exponent of numeric literal");
};

const stateE0: Step = (s, c) => {
  if (isDigit(c)) return Scan.Continue;
  return stateEndValue(s, c);
};

/** stateT/stateTr/…/stateNul: `word[at]` is the next expected letter. */
function literal(word: "true" | "false" | "null", at: number): Step {
  return (s, c) => {
    if (c !== word.charCodeAt(at)) return fail(s, c, `in literal ${word} (expecting '${word[at]}')`);
    s.step = at === word.length - 1 ? stateEndValue : literal(word, at + 1);
    return Scan.Continue;
  };
}

/**
 * Go's Decoder.readValue over a complete body: the byte length of the first JSON value, or the
 * error Decode would return ("EOF" for an empty/blank body, "unexpected EOF" for a cut-off one).
 */
export function readFirstValue(bytes: Uint8Array): { end: number } | { error: string } {
  const s: Scanner = { step: stateBeginValue, parseState: [], err: null };
  for (let i = 0; i < bytes.length; i++) {
    const op = s.step(s, bytes[i]);
    if (op === Scan.End) return { end: i };
    if (op === Scan.EndObject || op === Scan.EndArray) {
      // Go invents a space after a closing bracket so a top-level value ends without a read.
      if (stateEndValue(s, 0x20) === Scan.End) return { end: i + 1 };
    }
    if (op === Scan.Error) return { error: s.err ?? "invalid JSON" };
  }
  if (s.step(s, 0x20) === Scan.End) return { end: bytes.length };
  return { error: bytes.some((c) => !isSpace(c)) ? "unexpected EOF" : "EOF" };
}

// ---------------------------------------------------------------------------------------------
// Decoding a (scanned, hence valid) value into a struct of strings.

type Kind = "object" | "array" | "string" | "number" | "bool" | "null";

/** Go's unquote of the string literal at `start` (the opening quote); returns text and end index. */
function readString(b: Uint8Array, start: number): { text: string; end: number } {
  let out = "";
  let i = start + 1;
  let run = i;
  const flush = (to: number): void => {
    if (to > run) out += decodeUtf8Go(b.subarray(run, to), "replace");
  };
  while (b[i] !== 0x22) {
    if (b[i] !== 0x5c) {
      i++;
      continue;
    }
    flush(i);
    const e = b[i + 1];
    if (e === 0x75) {
      let r = hex4(b, i + 2);
      let width = 6;
      if (r >= 0xd800 && r <= 0xdfff) {
        const lowOk = r < 0xdc00 && b[i + 6] === 0x5c && b[i + 7] === 0x75;
        const low = lowOk ? hex4(b, i + 8) : -1;
        if (low >= 0xdc00 && low <= 0xdfff) {
          r = 0x10000 + ((r - 0xd800) << 10) + (low - 0xdc00);
          width = 12;
        } else {
          r = 0xfffd;
        }
      }
      out += String.fromCodePoint(r);
      i += width;
    } else {
      const simple: Record<number, string> = { 0x62: "\b", 0x66: "\f", 0x6e: "\n", 0x72: "\r", 0x74: "\t" };
      out += simple[e] ?? String.fromCharCode(e);
      i += 2;
    }
    run = i;
  }
  flush(i);
  return { text: out, end: i + 1 };
}

function hex4(b: Uint8Array, at: number): number {
  return Number.parseInt(Buffer.from(b.subarray(at, at + 4)).toString("latin1"), 16);
}

function skipSpace(b: Uint8Array, i: number): number {
  while (i < b.length && isSpace(b[i])) i++;
  return i;
}

function kindAt(c: number): Kind {
  if (c === 0x7b) return "object";
  if (c === 0x5b) return "array";
  if (c === 0x22) return "string";
  if (c === 0x74 || c === 0x66) return "bool";
  if (c === 0x6e) return "null";
  return "number";
}

/** Index just past the valid value starting at `i`; iterative, so deep nesting cannot blow the stack. */
function skipValue(b: Uint8Array, i: number): number {
  let depth = 0;
  do {
    const c = b[i];
    if (c === 0x22) {
      i = readStringEnd(b, i);
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      i++;
    } else if (depth === 0) {
      // A bare literal or number: runs until a delimiter.
      while (i < b.length && !isSpace(b[i]) && ![0x2c, 0x7d, 0x5d, 0x3a].includes(b[i])) i++;
    } else {
      i++;
    }
  } while (depth > 0);
  return i;
}

function readStringEnd(b: Uint8Array, start: number): number {
  let i = start + 1;
  while (b[i] !== 0x22) i += b[i] === 0x5c ? 2 : 1;
  return i + 1;
}

/** Go's foldName: per rune ToUpper(ToLower(r)); runes whose mapping is not one rune stay as they are. */
function foldName(name: string): string {
  let out = "";
  for (const ch of name) {
    const folded = ch.toLowerCase().toUpperCase();
    out += [...folded].length === 1 ? folded : ch;
  }
  return out;
}

export interface GoStructDecode<K extends string> {
  /** Field values as Go leaves them: set even when a later field fails, "" when never set. */
  fields: Record<K, string>;
  /** What Decode returned, or null. */
  error: string | null;
}

/**
 * `json.NewDecoder(body).Decode(&v)` where v is the Go struct `goType` (e.g. "main.createOrgRequest")
 * whose fields are all `string` with the given JSON names.
 */
export function decodeGoStringStruct<K extends string>(
  body: Uint8Array,
  names: readonly K[],
  goType: string,
): GoStructDecode<K> {
  const fields = Object.fromEntries(names.map((n) => [n, ""])) as Record<K, string>;
  const scanned = readFirstValue(body);
  if ("error" in scanned) return { fields, error: scanned.error };

  const b = body.subarray(0, scanned.end);
  let i = skipSpace(b, 0);
  const top = kindAt(b[i]);
  if (top === "null") return { fields, error: null };
  if (top !== "object")
    return { fields, error: `json: cannot unmarshal ${top} into Go value of type ${goType}` };

  const structName = goType.slice(goType.lastIndexOf(".") + 1);
  const byFold = new Map(names.map((n) => [foldName(n), n]));
  let error: string | null = null;
  i = skipSpace(b, i + 1);
  while (b[i] !== 0x7d) {
    const key = readString(b, i);
    i = skipSpace(b, skipSpace(b, key.end) + 1); // past ':'
    const field = (names as readonly string[]).includes(key.text)
      ? (key.text as K)
      : byFold.get(foldName(key.text));
    const kind = kindAt(b[i]);
    if (kind === "string") {
      const value = readString(b, i);
      if (field !== undefined) fields[field] = value.text;
      i = value.end;
    } else {
      if (field !== undefined && kind !== "null") {
        error ??= `json: cannot unmarshal ${kind} into Go struct field ${structName}.${field} of type string`;
      }
      i = skipValue(b, i);
    }
    i = skipSpace(b, i);
    if (b[i] === 0x2c) i = skipSpace(b, i + 1);
  }
  return { fields, error };
}
