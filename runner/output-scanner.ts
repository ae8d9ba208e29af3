/**
 * Reads a replay's output as it streams and keeps only what classification and reporting need:
 * the anchor's markers, the first failure line, the last lines, and a bounded tail. Memory stays
 * bounded whatever the replay prints (a 10 MB or endless output costs at most `tailBytes` + one line).
 */

import { StringDecoder } from "node:string_decoder";

export interface Marker {
  /** The issue field of `[replay] __SKIP__:<issue>:<reason>`; null when absent or empty. */
  issue: string | null;
  reason: string;
}

export interface OutputDigest {
  /** First `[replay] __SKIP__` line (only honoured on exit 0). */
  skip: Marker | null;
  /** First `[replay] __XFAIL__` line (only honoured on exit 0). */
  xfail: Marker | null;
  /** First line that announces a failure (`FAIL…`, `[replay] FAIL…`, `[replay] ✗…`). */
  firstFailLine: string | null;
  /** Last line that announces success (`PASS…`, `[replay] PASS…`). */
  lastPassLine: string | null;
  /** Last non-empty line. */
  lastLine: string | null;
  totalBytes: number;
  /** The last `tailBytes` bytes of the output, decoded as UTF-8 (may start mid-line). */
  tail: string;
  /** True when `tail` does not hold the whole output. */
  tailTruncated: boolean;
}

const SKIP_RE = /^\[replay\] __SKIP__/;
const XFAIL_RE = /^\[replay\] __XFAIL__/;
const FAIL_RE = /^\s*(?:\[[\w-]+\]\s*)?(?:FAIL\b|✗)/;
const PASS_RE = /^\s*(?:\[[\w-]+\]\s*)?PASS\b/;
// CSI/OSC escape sequences (colours, cursor moves) say nothing a report needs.
// eslint-disable-next-line no-control-regex
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/** `__SKIP__:#2863:reason`, `__SKIP__::reason`, `__SKIP__: reason` → issue + reason. */
export function parseMarker(line: string, marker: "__SKIP__" | "__XFAIL__"): Marker {
  const rest = line.slice(line.indexOf(marker) + marker.length).replace(/^:?\s*/, "");
  const withIssue = /^(#\d+|[A-Za-z][\w.-]*-\d+|null|-)?\s*:(.*)$/.exec(rest);
  if (withIssue) {
    const issue = withIssue[1] && withIssue[1] !== "null" && withIssue[1] !== "-" ? withIssue[1] : null;
    return { issue, reason: withIssue[2].trim() || "(no reason given)" };
  }
  return { issue: null, reason: rest.trim() || "(no reason given)" };
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI_RE, "");
}

export interface OutputScannerOptions {
  /** Bytes of tail kept in memory. */
  tailBytes?: number;
  /** Longest line inspected for markers; longer lines are cut (their start is what matters). */
  maxLineBytes?: number;
}

export class OutputScanner {
  private readonly tailBytes: number;
  private readonly maxLineBytes: number;
  private tailChunks: Buffer[] = [];
  private tailSize = 0;
  private partial = "";
  private partialOverflow = false;
  // Keeps a multi-byte character split across two chunks intact.
  private readonly decoder = new StringDecoder("utf8");
  private readonly digest: Omit<OutputDigest, "tail" | "tailTruncated"> = {
    skip: null,
    xfail: null,
    firstFailLine: null,
    lastPassLine: null,
    lastLine: null,
    totalBytes: 0,
  };

  constructor(options: OutputScannerOptions = {}) {
    this.tailBytes = options.tailBytes ?? 64 * 1024;
    this.maxLineBytes = options.maxLineBytes ?? 8 * 1024;
  }

  feed(chunk: Buffer | string): void {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.digest.totalBytes += buffer.length;
    this.keepTail(buffer);
    const text = this.decoder.write(buffer);
    let start = 0;
    for (let nl = text.indexOf("\n", start); nl !== -1; nl = text.indexOf("\n", start)) {
      this.appendPartial(text.slice(start, nl));
      this.line(this.partial);
      this.partial = "";
      this.partialOverflow = false;
      start = nl + 1;
    }
    this.appendPartial(text.slice(start));
  }

  /** Flushes a last line without a newline and returns the digest. */
  finish(): OutputDigest {
    this.appendPartial(this.decoder.end());
    if (this.partial.length > 0) this.line(this.partial);
    this.partial = "";
    const tail = Buffer.concat(this.tailChunks).toString("utf8");
    return { ...this.digest, tail, tailTruncated: this.digest.totalBytes > this.tailSize };
  }

  private appendPartial(piece: string): void {
    if (this.partialOverflow) return;
    this.partial += piece;
    if (this.partial.length > this.maxLineBytes) {
      this.partial = this.partial.slice(0, this.maxLineBytes);
      this.partialOverflow = true;
    }
  }

  private keepTail(buffer: Buffer): void {
    this.tailChunks.push(buffer);
    this.tailSize += buffer.length;
    while (this.tailSize > this.tailBytes && this.tailChunks.length > 0) {
      const excess = this.tailSize - this.tailBytes;
      const first = this.tailChunks[0];
      if (first.length <= excess) {
        this.tailChunks.shift();
        this.tailSize -= first.length;
      } else {
        this.tailChunks[0] = first.subarray(excess);
        this.tailSize -= excess;
      }
    }
  }

  private line(raw: string): void {
    const line = stripAnsi(raw).replace(/\r$/, "");
    if (line.trim() === "") return;
    this.digest.lastLine = line.trim();
    if (this.digest.skip === null && SKIP_RE.test(line)) this.digest.skip = parseMarker(line, "__SKIP__");
    if (this.digest.xfail === null && XFAIL_RE.test(line)) this.digest.xfail = parseMarker(line, "__XFAIL__");
    if (this.digest.firstFailLine === null && FAIL_RE.test(line)) this.digest.firstFailLine = line.trim();
    if (PASS_RE.test(line)) this.digest.lastPassLine = line.trim();
  }
}

/** Digest of a whole output at once (tests, small outputs). */
export function digestOutput(text: string, options?: OutputScannerOptions): OutputDigest {
  const scanner = new OutputScanner(options);
  scanner.feed(text);
  return scanner.finish();
}
