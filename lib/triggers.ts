/**
 * Content hashing for the replays Command's triggers: the same files with the same bytes give the
 * same hash whatever their mtimes or the order the filesystem lists them in; any edit, added or
 * removed file changes it.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import fg from "fast-glob";

/** Never part of what a replay run depends on. */
const IGNORE = ["**/node_modules/**", "**/dist/**", "**/.harness/**", "**/.git/**", "**/.DS_Store"];

/**
 * sha256 over every file under `roots` (directories or files), keyed by its path relative to `base`
 * (POSIX separators), in sorted order: path, then content. A missing root hashes as "missing".
 */
export function hashTree(roots: string[], base: string): string {
  const hash = createHash("sha256");
  const files = new Set<string>();
  const missing: string[] = [];
  for (const root of roots) {
    const abs = resolve(base, root);
    if (!existsSync(abs)) {
      missing.push(rel(base, abs));
    } else if (statSync(abs).isFile()) {
      files.add(abs);
    } else {
      for (const file of fg.sync("**/*", {
        cwd: abs,
        absolute: true,
        dot: true,
        onlyFiles: true,
        ignore: IGNORE,
      })) {
        files.add(resolve(file));
      }
    }
  }
  for (const path of [...missing].sort()) hash.update(`missing\0${path}\0`);
  const entries = [...files]
    .map((abs) => ({ abs, key: rel(base, abs) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { abs, key } of entries) {
    const content = readFileSync(abs);
    hash.update(`file\0${key}\0${content.length}\0`).update(content).update("\0");
  }
  return hash.digest("hex");
}

function rel(base: string, abs: string): string {
  return relative(base, abs).split(sep).join("/");
}

/** What the replays depend on besides the running harness: the replays, the runner and the contracts. */
export function replayInputsHash(repoRoot: string, replaysDir: string): string {
  return hashTree([replaysDir, "runner", "contracts"], repoRoot);
}
