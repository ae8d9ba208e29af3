/**
 * Makes arbitrary replay output safe for XML 1.0: ANSI escapes removed, other control characters
 * (which XML 1.0 cannot carry even as character references) shown as `\xNN`, lone surrogates and
 * U+FFFE/U+FFFF replaced. Markup escaping (`<&"'`) is the XML library's job.
 */
import { stripAnsi } from "../output-scanner";

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g;
const NON_CHARACTER_RE =
  /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlSafe(text: string): string {
  return stripAnsi(text)
    .replace(CONTROL_RE, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`)
    .replace(NON_CHARACTER_RE, "\uFFFD");
}

/** For attribute values: also flattens line breaks and tabs (parsers would normalise them to spaces). */
export function xmlSafeAttribute(text: string): string {
  return xmlSafe(text).replace(/[\r\n\t]+/g, " ");
}
