/**
 * Whether a bundle is current without rebuilding it: a stamp file records the build's key (its
 * options and tool versions), the input files esbuild read, a hash of their bytes, and their sizes
 * and mtimes, and the sizes and mtimes of the outputs it wrote. Same inputs and outputs → current (a
 * few ms); inputs touched but with the same bytes (a checkout) → current, and the stamp is refreshed;
 * otherwise (no stamp, a new key, an output missing or changed by hand, an input changed) → rebuild. Used for the runner's bundle and the services' bundles.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

interface Stamp {
  key: string;
  inputs: string[];
  hash: string;
  /** [size, mtimeMs] of each input, in order. */
  stats: [number, number][];
  /** [size, mtimeMs] of each output (absolute paths), in the caller's order. */
  outputs: [number, number][];
}

/** Writes `content` to `path` only when its bytes change, through a sibling temp file and a rename. */
export function writeIfChanged(path: string, content: Uint8Array | string, staging?: string): void {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  if (existsSync(path) && Buffer.compare(readFileSync(path), bytes) === 0) return;
  const tmp = staging ?? join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

function statsOf(root: string, inputs: readonly string[]): [number, number][] | null {
  const stats: [number, number][] = [];
  for (const input of inputs) {
    try {
      const st = statSync(resolve(root, input));
      stats.push([st.size, st.mtimeMs]);
    } catch {
      return null;
    }
  }
  return stats;
}

function hashInputs(root: string, inputs: readonly string[]): string | null {
  const hash = createHash("sha256");
  for (const input of inputs) {
    const file = resolve(root, input);
    if (!existsSync(file)) return null;
    hash.update(`${input}\0`).update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

/**
 * Records what the build read (`inputs`, relative to `root`, e.g. the keys of esbuild's metafile)
 * and the `outputs` it wrote (absolute).
 */
export function writeStamp(
  root: string,
  stampFile: string,
  key: string,
  inputs: readonly string[],
  outputs: readonly string[],
): void {
  const sorted = [...new Set(inputs)].filter((input) => !input.startsWith("<")).sort();
  const hash = hashInputs(root, sorted);
  const stats = statsOf(root, sorted);
  const outStats = statsOf(root, outputs);
  if (hash !== null && stats !== null && outStats !== null) {
    const stamp: Stamp = { key, inputs: sorted, hash, stats, outputs: outStats };
    writeIfChanged(stampFile, `${JSON.stringify(stamp)}\n`);
  }
}

/** Whether the build recorded in `stampFile` is current for `key`, with every one of `outputs` present. */
export function stampIsCurrent(
  root: string,
  stampFile: string,
  key: string,
  outputs: readonly string[],
): boolean {
  if (!existsSync(stampFile)) return false;
  let stamp: Stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, "utf8")) as Stamp;
  } catch {
    return false;
  }
  if (stamp.key !== key) return false;
  const outStats = statsOf(root, outputs);
  if (outStats === null || JSON.stringify(outStats) !== JSON.stringify(stamp.outputs)) return false;
  const stats = statsOf(root, stamp.inputs);
  if (stats === null) return false;
  if (JSON.stringify(stats) === JSON.stringify(stamp.stats)) return true;
  if (hashInputs(root, stamp.inputs) !== stamp.hash) return false;
  writeStamp(root, stampFile, key, stamp.inputs, outputs);
  return true;
}
