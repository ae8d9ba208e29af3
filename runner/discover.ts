/**
 * Finds the replays: every `*.ts` module and `*.sh` script directly in the replays directory, in
 * alphabetical order, filtered by include/exclude globs. No registration: adding a file adds a replay.
 * Helpers are not replays: files starting with `_`, type declarations, tests, and anything in a
 * sub-directory (e.g. `replays/lib/`).
 */
import { readdirSync, statSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import picomatch from "picomatch";
import { HarnessError } from "./errors";

export type ReplayKind = "ts" | "sh";

export interface ReplayFile {
  /** File name without extension: the replay's name in every report. */
  name: string;
  /** Absolute path. */
  file: string;
  kind: ReplayKind;
}

export interface DiscoverOptions {
  dir: string;
  /** Globs matched against the replay name and the file name; empty = everything. */
  include?: readonly string[];
  exclude?: readonly string[];
  /** Names of the run's suites (`harness:suites`): the filters select them too, by name. */
  suites?: readonly string[];
}

function kindOf(fileName: string): ReplayKind | null {
  if (fileName.startsWith("_") || fileName.startsWith(".")) return null;
  if (fileName.endsWith(".d.ts") || fileName.endsWith(".test.ts")) return null;
  const ext = extname(fileName);
  if (ext === ".ts") return "ts";
  if (ext === ".sh") return "sh";
  return null;
}

/** Every replay in `dir`, unfiltered, alphabetical by file name. */
export function listReplays(dir: string): ReplayFile[] {
  const abs = resolve(dir);
  let entries: string[];
  try {
    if (!statSync(abs).isDirectory()) throw new HarnessError(`replays directory ${abs} is not a directory`);
    entries = readdirSync(abs);
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    throw new HarnessError(`replays directory ${abs} does not exist or cannot be read`);
  }
  const replays: ReplayFile[] = [];
  for (const fileName of entries.sort()) {
    const kind = kindOf(fileName);
    if (kind === null) continue;
    const file = join(abs, fileName);
    if (!statSync(file).isFile()) continue;
    replays.push({ name: basename(fileName, extname(fileName)), file, kind });
  }
  const seen = new Map<string, string>();
  for (const replay of replays) {
    const other = seen.get(replay.name);
    if (other)
      throw new HarnessError(
        `${other} and ${replay.file} share the replay name "${replay.name}"; rename one`,
      );
    seen.set(replay.name, replay.file);
  }
  return replays;
}

/** A glob matches a replay when it matches its name (`tenant-*`) or its file name (`*.sh`). */
export function matchesAny(replay: ReplayFile, globs: readonly string[]): boolean {
  const fileName = basename(replay.file);
  return globs.some((glob) => {
    const isMatch = picomatch(glob, { dot: true });
    return isMatch(replay.name) || isMatch(fileName);
  });
}

/** Whether include/exclude globs select `name` (a suite's; replays also match by file name). */
export function selectsName(
  name: string,
  include: readonly string[] = [],
  exclude: readonly string[] = [],
): boolean {
  const matches = (globs: readonly string[]) => globs.some((glob) => picomatch(glob, { dot: true })(name));
  return (include.length === 0 || matches(include)) && !matches(exclude);
}

export function filterReplays(
  replays: readonly ReplayFile[],
  include: readonly string[] = [],
  exclude: readonly string[] = [],
): ReplayFile[] {
  return replays.filter(
    (replay) => (include.length === 0 || matchesAny(replay, include)) && !matchesAny(replay, exclude),
  );
}

/**
 * The replays to run; a missing or empty directory, or filters that match nothing, is a harness error
 * — unless they select a suite: then no replay is fine.
 */
export function discoverReplays(options: DiscoverOptions): ReplayFile[] {
  const all = listReplays(options.dir);
  const suites = options.suites ?? [];
  if (suites.some((name) => selectsName(name, options.include, options.exclude))) {
    return filterReplays(all, options.include, options.exclude);
  }
  if (all.length === 0) {
    throw new HarnessError(`no replay (*.ts or *.sh) in ${resolve(options.dir)}`);
  }
  const chosen = filterReplays(all, options.include, options.exclude);
  if (chosen.length === 0) {
    const filters = [
      ...(options.include ?? []).map((g) => `--include ${g}`),
      ...(options.exclude ?? []).map((g) => `--exclude ${g}`),
    ].join(" ");
    const available = [...all.map((r) => r.name), ...suites.map((name) => `${name} (suite)`)];
    throw new HarnessError(`no replay matches ${filters}; available: ${available.join(", ")}`);
  }
  return chosen;
}
