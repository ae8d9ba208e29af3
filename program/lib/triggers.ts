/**
 * Content hashing for the replays Command's triggers: the same files with the same bytes give the
 * same hash whatever their mtimes or the order the filesystem lists them in; any edit, added or
 * removed file changes it.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import fg from "fast-glob";
import { junitPattern, type SuiteSpec } from "../contracts/suites";

/** Never part of what a replay run depends on. */
const IGNORE = ["**/node_modules/**", "**/dist/**", "**/.harness/**", "**/.git/**", "**/.DS_Store"];

/**
 * sha256 over every file under `roots` (directories or files), keyed by its path relative to `base`
 * (POSIX separators), in sorted order: path, then content. A missing root hashes as "missing".
 * `ignore`: more fast-glob patterns, relative to each root, left out.
 */
export function hashTree(roots: string[], base: string, ignore: readonly string[] = []): string {
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
        ignore: [...IGNORE, ...ignore],
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
  return hashTree([replaysDir, "runner", "program/contracts"], repoRoot);
}

/**
 * What a suite writes into its own folder when it runs, so never what it depends on: Python's
 * caches, the Pulumi state of a checkout-root suite, and its JUnit output (any stack's).
 */
const SUITE_RUN_OUTPUT = ["**/__pycache__/**", "**/.pytest_cache/**", ".pulumi/**"];

/**
 * The suites' part of the replays Command's triggers: their config plus the files of each suite's
 * cwd, so editing a suite (or its config) re-runs it on `up`, and running it changes nothing.
 */
export function suiteInputsHash(repoRoot: string, suites: readonly SuiteSpec[]): string {
  const hash = createHash("sha256");
  for (const suite of suites) {
    const { name, command, cwd, timeoutSeconds, junit } = suite;
    const ignore = [...SUITE_RUN_OUTPUT];
    if (junit) ignore.push(junitPattern(junit, "*"));
    hash.update(JSON.stringify({ name, command, cwd, timeoutSeconds, junit: junit ?? null }));
    hash.update(`\0${hashTree([cwd], repoRoot, ignore)}\0`);
  }
  return hash.digest("hex");
}
