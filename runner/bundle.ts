/**
 * The runner as plain JavaScript in `runner/dist/` (git-ignored, outside every content hash): started
 * with `node`, not `node --import tsx`, so neither the seed, the runner, nor the replay host pays for
 * transpiling at start-up.
 *
 *   runner/dist/cli.js            runner/cli.ts (seed, run) — what the Pulumi Commands start (runner/invoke.ts)
 *   runner/dist/replay-host.js    the replay host process (replay-host.ts)
 *   runner/dist/replay-worker.js  the code of each of its worker threads (replay-worker.ts)
 *   runner/dist/vendor-<pkg>.js   the big packages (undici, ws, pg, xmlbuilder2, fast-xml-parser), one
 *                                 file each, loaded only by what uses them: a worker whose replay sends
 *                                 no HTTP request starts without parsing undici
 *
 * Deterministic (same sources → same bytes) and a file is only rewritten when its bytes change (written
 * beside it, then renamed: a concurrent reader sees the old file or the new one). A stamp
 * (program/lib/build-stamp.ts) makes an up-to-date `dist/` cost a stat of each input.
 */
import { buildSync, version as esbuildVersion, type BuildOptions, type Metafile } from "esbuild";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { stampIsCurrent, writeIfChanged, writeStamp } from "../program/lib/build-stamp";

export const RUNNER_ENTRIES = {
  cli: "runner/cli.ts",
  "replay-host": "runner/replay-host.ts",
  "replay-worker": "runner/replay-worker.ts",
} as const;

export type RunnerBundle = keyof typeof RUNNER_ENTRIES;

/** Left to `require` from node_modules: native or optional add-ons, esbuild (a binary), and dockerode
 * (grpc, ssh2: loaded only to collect failure artifacts). */
const EXTERNAL = ["esbuild", "dockerode", "pg-native", "bufferutil", "utf-8-validate"];

/** Packages bundled into a file of their own (`vendor-<name>.js`) instead of into every entry. */
const VENDOR = ["undici", "ws", "pg", "xmlbuilder2", "fast-xml-parser"];

/** Changes when the build itself changes (options, esbuild version): part of the stamp. */
function buildKey(): string {
  return JSON.stringify({ v: 2, esbuildVersion, EXTERNAL, VENDOR, RUNNER_ENTRIES, node: "node20" });
}

/**
 * The checkout `from` belongs to: the nearest directory up from it that holds the runner's sources
 * (code may run from a bundle elsewhere in the checkout); the working directory if there is none.
 */
export function checkoutRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "runner", "bundle.ts")) && existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

export function runnerDist(root: string): string {
  return join(root, "runner", "dist");
}

function outputs(): string[] {
  return [...Object.keys(RUNNER_ENTRIES), ...VENDOR.map((name) => `vendor-${name}`)];
}

export function bundlePath(root: string, name: RunnerBundle): string {
  return join(runnerDist(root), `${name}.js`);
}

function stampFile(root: string): string {
  return join(runnerDist(root), "stamp.json");
}

function upToDate(root: string): boolean {
  return stampIsCurrent(
    root,
    stampFile(root),
    buildKey(),
    outputs().map((name) => join(runnerDist(root), `${name}.js`)),
  );
}

/**
 * Builds runner/dist/*.js from the sources under `root`, unless the stamp says they are current
 * (`force`: build anyway). Throws the esbuild error when a source does not compile.
 */
export function bundleRunner(root: string, options: { force?: boolean } = {}): void {
  if (!options.force && upToDate(root)) return;
  const dist = runnerDist(root);
  mkdirSync(dist, { recursive: true });
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    legalComments: "none",
    logLevel: "silent",
    metafile: true as const,
    write: false as const,
  } satisfies BuildOptions;
  const metafiles: Metafile[] = [];
  const main = buildSync({
    ...common,
    entryPoints: Object.entries(RUNNER_ENTRIES).map(([out, entry]) => ({ in: entry, out })),
    outdir: dist,
    // Every import of a vendored package becomes `require("./vendor-<name>.js")`, a sibling output;
    // `import()` too (not left as an ESM import of a CommonJS file, which would hide its named exports).
    alias: Object.fromEntries(VENDOR.map((name) => [name, `./vendor-${name}.js`])),
    external: [...EXTERNAL, "./vendor-*"],
    supported: { "dynamic-import": false },
  });
  metafiles.push(main.metafile);
  const built = [...main.outputFiles];
  for (const name of VENDOR) {
    const vendor = buildSync({
      ...common,
      stdin: {
        contents: `module.exports = require(${JSON.stringify(name)});\n`,
        resolveDir: root,
        loader: "js",
      },
      outfile: join(dist, `vendor-${name}.js`),
      external: EXTERNAL,
    });
    metafiles.push(vendor.metafile);
    built.push(...vendor.outputFiles);
  }
  for (const output of built) writeIfChanged(output.path, output.contents);
  writeStamp(
    root,
    stampFile(root),
    buildKey(),
    metafiles.flatMap((m) => Object.keys(m.inputs)),
    outputs().map((name) => join(dist, `${name}.js`)),
  );
}
