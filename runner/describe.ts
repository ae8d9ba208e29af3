/**
 * Reads what each replay declares (closes, proves, xfail, independent, timeout) BEFORE running it,
 * because scheduling and XFAIL/XPASS depend on it. Shell replays: their header comments. TypeScript
 * replays: their definition, loaded in a worker of the replay host (a `describe` job), so a module
 * that hangs or crashes at import cannot take the runner with it. A replay whose declaration cannot
 * be read still runs (with defaults) and its run shows the error.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ReplayMeta } from "./api";
import type { ReplayFile } from "./discover";
import { errorMessage } from "./errors";
import type { ReplayHost } from "./host-client";
import type { CompiledReplay } from "./host-protocol";
import type { DescribeLine } from "./replay-worker";
import { readShellHeader } from "./shell-header";

export interface Declared {
  closes: string | null;
  proves?: string;
  xfail?: string;
  independent: boolean;
  timeoutSeconds?: number;
  /** Why the declaration could not be read (the replay still runs). */
  error?: string;
}

export interface DescribeOptions {
  /** Runs the describe jobs (needed only when there are TypeScript replays). */
  host?: ReplayHost;
  /** Each TypeScript replay compiled (compile.ts), by file. */
  compiled: ReadonlyMap<string, CompiledReplay>;
  /** Scratch folder for the describe jobs' output. */
  outputDir: string;
  timeoutMs: number;
  /** Workers the host should keep waiting once describing is done (the first replays take them). */
  warm?: number;
}

function fromMeta(meta: ReplayMeta): Declared {
  return {
    closes: meta.closes,
    proves: meta.proves,
    xfail: meta.xfail,
    independent: meta.independent === true,
    timeoutSeconds: meta.timeoutSeconds,
  };
}

async function describeBatch(
  host: ReplayHost,
  replays: readonly CompiledReplay[],
  options: DescribeOptions,
  tag: string,
) {
  const outputFile = join(options.outputDir, `_describe-${tag}.log`);
  const run = await host.execute({
    job: { kind: "describe", replays: [...replays] },
    outputFile,
    timeoutMs: options.timeoutMs,
    maxOutputBytes: 4 * 1024 * 1024,
    tailBytes: 4 * 1024,
    warm: options.warm,
  });
  const found = new Map<string, DescribeLine>();
  let text = "";
  try {
    text = readFileSync(outputFile, "utf8");
  } catch {
    // Nothing written: every file falls back.
  }
  for (const line of text.split("\n")) {
    if (!line.startsWith('{"file":')) continue;
    try {
      const parsed = JSON.parse(line) as DescribeLine;
      found.set(parsed.file, parsed);
    } catch {
      // A module printed something JSON-like: ignore it.
    }
  }
  const problem = run.timedOut
    ? `loading it did not finish within ${Math.round(options.timeoutMs / 1000)}s`
    : (run.spawnError ?? `loading it ended with exit ${run.exitCode ?? run.signal}`);
  return { found, problem };
}

export async function describeReplays(
  replays: readonly ReplayFile[],
  options: DescribeOptions,
): Promise<Map<string, Declared>> {
  const declared = new Map<string, Declared>();
  for (const replay of replays.filter((r) => r.kind === "sh")) {
    try {
      declared.set(replay.name, { ...readShellHeader(replay.file), independent: false });
    } catch (error) {
      declared.set(replay.name, { closes: null, independent: false, error: errorMessage(error) });
    }
  }
  const ts = replays.filter((r) => r.kind === "ts");
  if (ts.length === 0) return declared;
  const host = options.host;
  if (!host) throw new Error("describeReplays: TypeScript replays need a replay host");
  const compiledOf = (replay: ReplayFile): CompiledReplay =>
    options.compiled.get(replay.file) ?? { file: replay.file, error: "not compiled" };

  const record = (replay: ReplayFile, line: DescribeLine) => {
    declared.set(
      replay.name,
      line.meta
        ? fromMeta(line.meta)
        : { closes: null, independent: false, error: line.error ?? "no definition" },
    );
  };
  // One worker for all (fast); whatever it did not describe is retried one file per worker.
  const batch = await describeBatch(host, ts.map(compiledOf), options, "all");
  for (const replay of ts) {
    const line = batch.found.get(replay.file);
    if (line) {
      record(replay, line);
      continue;
    }
    const single = await describeBatch(host, [compiledOf(replay)], options, replay.name);
    const again = single.found.get(replay.file);
    if (again) record(replay, again);
    else declared.set(replay.name, { closes: null, independent: false, error: single.problem });
  }
  return declared;
}
