/**
 * Everything a failed test file said, gathered per file from node's test-runner events.
 *
 * Why: a file can fail with nothing but "test failed" in the spec reporter's summary: its process
 * exited non-zero after every test passed (an unhandled rejection after a test ended, a crash in
 * teardown). The cause is then only in that file's stderr and diagnostics, which the spec reporter
 * prints in the middle of thousands of lines, and a CI log keeps only its tail. This collects them
 * per file so the cause can be printed again, next to the failure, at the very end.
 */

/** The subset of node:test reporter events this needs (node 20). */
export interface TestEvent {
  type: string;
  data?: {
    file?: string;
    name?: string;
    nesting?: number;
    message?: string;
    details?: { error?: unknown };
  };
}

interface FileRecord {
  /** stderr, stdout and diagnostics, in the order they arrived. */
  output: string[];
  failures: string[];
}

/** Lines of output kept per file: enough for a stack trace and its context, never a flood. */
const KEEP_LINES = 120;

export class FailureReport {
  private readonly files = new Map<string, FileRecord>();
  /** The file whose events are being reported: a diagnostic carries no file of its own. */
  private current: string | undefined;

  add(event: TestEvent): void {
    const data = event.data ?? {};
    // node reports a file as a test named after it; its completion closes the file's report, and
    // diagnostics after it are the run's totals.
    const closesFile = data.file !== undefined && data.name === data.file && data.nesting === 0;
    const file = data.file ?? this.current;
    if (!file) return;
    this.current = closesFile ? undefined : file;
    switch (event.type) {
      case "test:stderr":
      case "test:stdout":
        this.record(file).output.push(...lines(data.message ?? ""));
        break;
      case "test:diagnostic":
        this.record(file).output.push(...lines(`ℹ ${data.message ?? ""}`));
        break;
      case "test:fail":
        this.record(file).failures.push(describeFailure(data.name ?? "(unnamed)", data.details?.error));
        break;
    }
  }

  /** One block per failed file: its failures, then what it printed. Empty when nothing failed. */
  render(): string {
    const blocks: string[] = [];
    for (const [file, record] of this.files) {
      if (record.failures.length === 0) continue;
      const output = record.output.slice(-KEEP_LINES);
      const dropped = record.output.length - output.length;
      blocks.push(
        [
          `── ${file}`,
          ...record.failures.map((f) => indent(f)),
          ...(output.length > 0
            ? [
                `   what it printed (stderr, stdout, diagnostics)${dropped > 0 ? `, last ${KEEP_LINES} lines` : ""}:`,
                ...output.map((line) => `   | ${line}`),
              ]
            : ["   it printed nothing"]),
        ].join("\n"),
      );
    }
    return blocks.join("\n\n");
  }

  private record(file: string): FileRecord {
    let record = this.files.get(file);
    if (!record) {
      record = { output: [], failures: [] };
      this.files.set(file, record);
    }
    return record;
  }
}

function lines(text: string): string[] {
  const trimmed = text.replace(/\n$/, "");
  return trimmed === "" ? [] : trimmed.split("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `   ${line}`)
    .join("\n");
}

/** The failure's cause with its stack and, for a whole file, how its process ended. */
function describeFailure(name: string, error: unknown): string {
  const parts = [`✖ ${name}`];
  if (error instanceof Error) {
    const ended = error as { exitCode?: number | null; signal?: string | null };
    if (ended.exitCode !== undefined || ended.signal !== undefined) {
      parts.push(`  process ended: exit code ${ended.exitCode ?? "none"}, signal ${ended.signal ?? "none"}`);
    }
    // node wraps what a test threw in its own ERR_TEST_FAILURE, whose stack is the runner's.
    const cause: unknown = (error as { cause?: unknown }).cause;
    const shown = cause instanceof Error ? (cause.stack ?? String(cause)) : String(cause ?? error.message);
    parts.push(
      ...shown
        .split("\n")
        .slice(0, 30)
        .map((line) => `  ${line}`),
    );
  } else if (error !== undefined) {
    parts.push(`  ${String(error)}`);
  }
  return parts.join("\n");
}
