/**
 * Progress for humans on stderr: `[e2e +12.3s] message`. A few lines are markers other tools wait for
 * (the interrupt tests send their signal when one appears), so their wording is fixed here.
 */

export const MARKERS = {
  containerStarted: (name: string) => `container started: ${name}`,
  commandRunning: (resource: string) => `command running: ${resource}`,
  /** Printed when teardown found objects the destroy should have removed (a driver or program bug). */
  leak: "LEAK",
} as const;

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  /** One line of a child's output (a build, a Command), under its resource name. */
  child(resource: string, line: string): void;
}

export function stderrLog(
  tag = "e2e",
  write: (text: string) => void = (t) => void process.stderr.write(t),
  now: () => number = Date.now,
): Log {
  const started = now();
  const stamp = () => `[${tag} +${((now() - started) / 1000).toFixed(1)}s]`;
  return {
    info: (message) => write(`${stamp()} ${message}\n`),
    warn: (message) => write(`${stamp()} WARNING: ${message}\n`),
    child: (resource, line) => write(`  [${resource}] ${line}\n`),
  };
}

/** A Log that keeps what it was told (tests). */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warn: (m) => lines.push(`WARNING: ${m}`),
    child: (r, l) => lines.push(`[${r}] ${l}`),
  };
}
