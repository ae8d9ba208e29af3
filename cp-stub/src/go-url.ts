/**
 * How Go's net/url and net/http (1.25) turn a request target into `r.URL.Path` and pick a
 * ServeMux pattern, so paths behave exactly as they did against the Go cp-stub:
 *  - `/cp/auth/me` matches only itself; `/cp/auth/me/` and `/cp/auth/me/x` fall to `/cp/`;
 *  - `/cp` is redirected (301) to `/cp/`; unclean paths (`//`, `/./`, `/../`) are redirected to
 *    their clean form; matching compares percent-decoded segments (`/cp/auth/m%65` is `/cp/auth/me`);
 *  - anything unmatched is Go's `404 page not found`.
 * (Go 1.26 answers these redirects with 307; the anchor builds with Go 1.25, hence 301.)
 */
import { decodeUtf8Go } from "./go-json";

export interface RequestTarget {
  /** `r.URL.Path`: percent-decoded; invalid UTF-8 bytes kept as lone surrogates (see decodeUtf8Go). */
  path: string;
  /** `r.URL.EscapedPath()`. */
  escapedPath: string;
  /** `r.URL.RawQuery`, without the "?". */
  rawQuery: string;
}

export type ParsedTarget =
  | { kind: "path"; target: RequestTarget }
  /** The request target `*` (only meaningful for OPTIONS). */
  | { kind: "asterisk" }
  /** Go's server rejects it with "400 Bad Request" before any handler runs. */
  | { kind: "invalid" };

const HEX = "0123456789ABCDEF";

function isHexDigit(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/** url.unescape(s, encodePath) as bytes, or null for a bad %-escape (Go: "invalid URL escape"). */
function unescapeBytes(s: string): Uint8Array | null {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "%") {
      const h = s.slice(i + 1, i + 3);
      if (h.length !== 2 || !isHexDigit(h[0]) || !isHexDigit(h[1])) return null;
      out.push(Number.parseInt(h, 16));
      i += 2;
    } else {
      out.push(ch.charCodeAt(0) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** Decodes one %-escaped path string to `r.URL.Path` form, or null if an escape is malformed. */
export function unescapePath(s: string): string | null {
  const bytes = unescapeBytes(s);
  return bytes === null ? null : decodeUtf8Go(bytes, "keep");
}

/** The bytes a decoded path stands for (inverse of decodeUtf8Go(…, "keep")). */
function pathBytes(path: string): Uint8Array {
  const out: number[] = [];
  for (const ch of path) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch.length === 1 && cp >= 0xdc80 && cp <= 0xdcff) out.push(cp - 0xdc00);
    else out.push(...Buffer.from(ch, "utf8"));
  }
  return Uint8Array.from(out);
}

/** url.shouldEscape(c, encodePath). */
function shouldEscape(c: number): boolean {
  const ch = String.fromCharCode(c);
  if (/^[A-Za-z0-9]$/.test(ch)) return false;
  if ("-_.~".includes(ch)) return false;
  if ("$&+,/:;=@".includes(ch)) return false;
  return true; // "?" and everything else
}

/** url.escape(path, encodePath): what `(&url.URL{Path: p}).EscapedPath()` returns. */
export function escapePath(path: string): string {
  let out = "";
  for (const c of pathBytes(path)) {
    out += shouldEscape(c) ? `%${HEX[c >> 4]}${HEX[c & 15]}` : String.fromCharCode(c);
  }
  return out;
}

/** url.validEncoded(s, encodePath): may `s` stand as the escaped form of itself? */
function validEncoded(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if ("!$&'()*+,;=:@[]%".includes(ch)) continue;
    if (shouldEscape(s.charCodeAt(i))) return false;
  }
  return true;
}

/** url.ParseRequestURI for what Node hands us as `req.url` (origin-form, absolute-form or `*`). */
export function parseRequestTarget(rawUrl: string): ParsedTarget {
  if (rawUrl === "*") return { kind: "asterisk" };
  let raw = rawUrl;
  if (!raw.startsWith("/")) {
    // absolute-form (a proxy-style request): keep only path and query, as Go does.
    const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*(.*)$/.exec(raw);
    if (m === null) return { kind: "invalid" };
    raw = m[1];
  }
  const q = raw.indexOf("?");
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const rawQuery = q < 0 ? "" : raw.slice(q + 1);
  const path = unescapePath(rawPath);
  if (path === null) return { kind: "invalid" };
  const escapedPath = validEncoded(rawPath) ? rawPath : escapePath(path);
  return { kind: "path", target: { path, escapedPath, rawQuery } };
}

/** Go's path.Clean for a rooted path. */
export function pathClean(p: string): string {
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}

/** net/http's cleanPath: path.Clean, keeping a trailing slash. */
export function cleanPath(p: string): string {
  if (p === "") return "/";
  const rooted = p.startsWith("/") ? p : `/${p}`;
  let np = pathClean(rooted);
  if (rooted.endsWith("/") && np !== "/") np += "/";
  return np;
}

/** Go's html.EscapeString subset used by http.Redirect's body. */
function htmlEscape(s: string): string {
  return s.replace(
    /[&'<>"]/g,
    (c) => ({ "&": "&amp;", "'": "&#39;", "<": "&lt;", ">": "&gt;", '"': "&#34;" })[c] ?? c,
  );
}

/** What http.Redirect does with an absolute-path location: Clean it, keep the trailing slash. */
function redirectLocation(url: string): string {
  const q = url.indexOf("?");
  const base = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? "" : url.slice(q);
  let cleaned = pathClean(base);
  if (base.endsWith("/") && !cleaned.endsWith("/")) cleaned += "/";
  return cleaned + query;
}

/** `(&url.URL{Path: p, RawQuery: q}).String()`. */
function urlString(path: string, rawQuery: string): string {
  return escapePath(path) + (rawQuery === "" ? "" : `?${rawQuery}`);
}

/** A 301 as `http.Redirect` writes it (body only for GET, content type for GET and HEAD). */
export interface GoRedirect {
  status: 301;
  location: string;
  contentType: string | null;
  body: string;
}

export function goRedirect(method: string, url: string): GoRedirect {
  const location = redirectLocation(url);
  const get = method === "GET";
  return {
    status: 301,
    location,
    contentType: get || method === "HEAD" ? "text/html; charset=utf-8" : null,
    // fmt.Fprintln adds its own newline after the body's.
    body: get ? `<a href="${htmlEscape(location)}">Moved Permanently</a>.\n\n` : "",
  };
}

/** A registered pattern: exact ("/cp/auth/me") or subtree ("/cp/", trailing slash). */
interface CompiledPattern {
  pattern: string;
  literals: string[];
  subtree: boolean;
}

export type MuxResult =
  { kind: "redirect"; location: string } | { kind: "match"; pattern: string } | { kind: "notFound" };

/** Decoded segments of an escaped path: "/cp/a%2Fb/" → ["cp", "a/b", ""]. */
function segments(escapedPath: string): string[] {
  return escapedPath
    .slice(1)
    .split("/")
    .map((s) => unescapePath(s) ?? s);
}

/** The subset of Go 1.22+ ServeMux this stub needs: method-less exact and subtree patterns. */
export class GoServeMux {
  private readonly patterns: CompiledPattern[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.map((pattern) => {
      const subtree = pattern.endsWith("/");
      const literals = pattern.slice(1, subtree ? -1 : undefined).split("/");
      return { pattern, literals: pattern === "/" ? [] : literals, subtree };
    });
  }

  /** The most specific pattern for a clean escaped path, and whether it matches it exactly. */
  private match(escapedPath: string): { pattern: CompiledPattern; exact: boolean } | null {
    const segs = segments(escapedPath);
    let best: CompiledPattern | null = null;
    for (const p of this.patterns) {
      const prefixOk = p.literals.every((lit, i) => segs[i] === lit);
      if (!prefixOk) continue;
      if (!p.subtree && segs.length === p.literals.length) return { pattern: p, exact: true };
      if (p.subtree && segs.length > p.literals.length) {
        if (best === null || p.literals.length > best.literals.length) best = p;
      }
    }
    if (best === null) return null;
    // A subtree pattern matches exactly only the path that is the pattern itself ("/cp/").
    const exact =
      escapedPath.endsWith("/") && best.literals.length + 1 === (escapedPath.match(/\//g) ?? []).length;
    return { pattern: best, exact };
  }

  /** ServeMux.findHandler for a non-CONNECT request. */
  route(target: RequestTarget): MuxResult {
    const path = cleanPath(target.escapedPath);
    const found = this.match(path);
    if (!(found?.exact ?? false) && !path.endsWith("/")) {
      const withSlash = this.match(`${path}/`);
      if (withSlash?.exact) {
        return { kind: "redirect", location: urlString(`${cleanPath(target.path)}/`, target.rawQuery) };
      }
    }
    if (path !== target.escapedPath) {
      // Go re-escapes the already-escaped clean path here ("%" → "%25"); reproduced on purpose.
      return { kind: "redirect", location: urlString(path, target.rawQuery) };
    }
    return found === null ? { kind: "notFound" } : { kind: "match", pattern: found.pattern.pattern };
  }
}
