/**
 * The one place a replay's outcome becomes a status. Pure: the same rules for TypeScript and shell
 * replays (the TypeScript host turns ctx.skip/ctx.xfail/throws into the anchor's markers and exit codes).
 */
import type { ReplayStatus } from "../program/contracts/summary";
import type { OutputDigest } from "./output-scanner";

export interface Outcome {
  /** Exit code of the replay process; null when it was killed by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  timeoutSeconds: number;
  /** Set when the runner was interrupted (Ctrl-C, SIGTERM) while the replay ran. */
  interrupted: boolean;
  /** Set when the process could not be started at all (e.g. `bash` missing). */
  spawnError: string | null;
  digest: Pick<OutputDigest, "skip" | "xfail" | "firstFailLine" | "lastPassLine" | "lastLine">;
}

export interface Declaration {
  /** The replay is declared expected-to-fail: failing → XFAIL, passing → XPASS. */
  xfail?: string;
  /** What the replay proves; the PASS message. */
  proves?: string;
}

export interface Classification {
  status: ReplayStatus;
  /** One line. */
  message: string;
}

const MAX_MESSAGE = 500;

export function oneLine(text: string, max = MAX_MESSAGE): string {
  const flat = text.replace(/\s*\n\s*/g, " ⏎ ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function howItEnded(outcome: Outcome): string {
  if (outcome.signal) return `killed by ${outcome.signal}`;
  return `exit code ${outcome.exitCode ?? "unknown"}`;
}

/** `[replay] FAIL: x` → `x`: the status already says FAIL. */
export function withoutFailPrefix(line: string): string {
  return line.replace(/^\s*(?:\[[\w-]+\]\s*)?(?:FAIL\b:?|✗)\s*/, "").trim() || line.trim();
}

/** `[replay] PASS: x` → `x`. */
export function withoutPassPrefix(line: string): string {
  return line.replace(/^\s*(?:\[[\w-]+\]\s*)?PASS\b:?\s*/, "").trim() || line.trim();
}

/** Why it failed, from the replay's own words when it gave any. */
function failureReason(outcome: Outcome): string {
  const { firstFailLine, lastLine } = outcome.digest;
  const said = firstFailLine !== null ? withoutFailPrefix(firstFailLine) : lastLine;
  if (!said) return `exited with ${howItEnded(outcome)} and printed nothing`;
  // Exit 1 is the ordinary failure exit; anything else (3, 127, a signal) is worth saying.
  return outcome.exitCode === 1 ? said : `${said} (${howItEnded(outcome)})`;
}

export function classify(outcome: Outcome, declared: Declaration = {}): Classification {
  if (outcome.spawnError !== null) {
    return { status: "FAIL", message: oneLine(`could not start: ${outcome.spawnError}`) };
  }
  if (outcome.interrupted) {
    return { status: "FAIL", message: "interrupted: the runner was stopped while this replay ran" };
  }
  // A hang is never an expected failure: it burns CI time and hides what went wrong.
  if (outcome.timedOut) {
    return { status: "FAIL", message: `timed out after ${outcome.timeoutSeconds}s` };
  }
  const { digest } = outcome;
  if (outcome.exitCode === 0) {
    // The anchor's convention: a marker only counts when the replay also exited 0.
    if (digest.skip) return { status: "SKIP", message: oneLine(digest.skip.reason) };
    if (digest.xfail) return { status: "XFAIL", message: oneLine(digest.xfail.reason) };
    if (declared.xfail !== undefined) {
      return {
        status: "XPASS",
        message: oneLine(`declared xfail (${declared.xfail}) but it passed: remove the xfail declaration`),
      };
    }
    const passed =
      declared.proves ?? (digest.lastPassLine !== null ? withoutPassPrefix(digest.lastPassLine) : "passed");
    return { status: "PASS", message: oneLine(passed) };
  }
  if (declared.xfail !== undefined) {
    return {
      status: "XFAIL",
      message: oneLine(`${declared.xfail} (failed as expected: ${failureReason(outcome)})`),
    };
  }
  return { status: "FAIL", message: oneLine(failureReason(outcome)) };
}
