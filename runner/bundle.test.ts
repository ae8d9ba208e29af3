/**
 * runner/dist: built from the sources deterministically, rewritten only when bytes change, and what it
 * holds runs with plain `node` — the seed, the runner and, through it, the replay host.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { DEFAULT_REPLAYS } from "../program/config/schema";
import type { ReplaySummary } from "../program/contracts/summary";
import { bundleRunner, checkoutRoot, runnerDist } from "./bundle";
import { DEFAULT_CONCURRENCY } from "./run";
import { makeReplayDir, makeTarget, REPO_ROOT, SEED, tsReplay } from "./test-support/fixtures";

const dist = runnerDist(REPO_ROOT);
const bundles = () =>
  readdirSync(dist)
    .filter((f) => f.endsWith(".js"))
    .sort();

describe("runner/dist", () => {
  test("a rebuild gives the same bytes and rewrites nothing; a current dist is not rebuilt", () => {
    bundleRunner(REPO_ROOT);
    assert.deepEqual(bundles(), [
      "cli.js",
      "replay-host.js",
      "replay-worker.js",
      "vendor-fast-xml-parser.js",
      "vendor-pg.js",
      "vendor-undici.js",
      "vendor-ws.js",
      "vendor-xmlbuilder2.js",
    ]);
    const before = new Map(
      bundles().map((f) => [f, { bytes: readFileSync(join(dist, f)), stat: statSync(join(dist, f)) }]),
    );
    bundleRunner(REPO_ROOT, { force: true });
    bundleRunner(REPO_ROOT);
    for (const [file, { bytes, stat }] of before) {
      assert.ok(readFileSync(join(dist, file)).equals(bytes), `${file}: same bytes`);
      assert.equal(statSync(join(dist, file)).mtimeMs, stat.mtimeMs, `${file}: not rewritten`);
    }
  });

  test("the CLI runs with plain node: usage, a harness error, and a run (TS in the host, bash)", () => {
    bundleRunner(REPO_ROOT);
    const cli = join(dist, "cli.js");
    const help = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" });
    assert.equal(help.status, 0);
    assert.match(help.stderr, /^usage:/);
    const noTarget = spawnSync(process.execPath, [cli, "seed"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH },
    });
    assert.equal(noTarget.status, 2);
    assert.match(noTarget.stderr, /\[seed\] harness error: .*HARNESS_TARGET/);

    const dir = makeReplayDir();
    dir.write("a.ts", tsReplay(`{ closes: null, proves: "ran in the bundled host", run() {} }`));
    // The helpers are the sources' (runner/shell/), not beside the bundle.
    dir.write(
      "b.sh",
      `source "$HARNESS_HELPERS"\ntype curl_alpha_admin >/dev/null\necho "[replay] PASS: bash"\n`,
    );
    const run = spawnSync(process.execPath, [cli, "run", "--replays-dir", dir.replays], {
      encoding: "utf8",
      cwd: dir.root,
      env: {
        ...process.env,
        HARNESS_TARGET: JSON.stringify(makeTarget({ reportsDir: dir.reports })),
        HARNESS_SEED: JSON.stringify(SEED),
      },
    });
    assert.equal(run.status, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as ReplaySummary;
    assert.deepEqual(
      summary.results.map((r) => [r.name, r.status, r.message]),
      [
        ["a", "PASS", "ran in the bundled host"],
        ["b", "PASS", "bash"],
      ],
    );
  });

  test("the checkout is found from anywhere inside it (a bundle of the program runs from .harness/)", () => {
    assert.equal(checkoutRoot(REPO_ROOT), REPO_ROOT);
    assert.equal(checkoutRoot(join(REPO_ROOT, "program", "lib")), REPO_ROOT);
    assert.equal(checkoutRoot(join(REPO_ROOT, ".harness", "build")), REPO_ROOT);
  });

  test("the runner's default concurrency is the config's", () => {
    assert.equal(DEFAULT_CONCURRENCY, DEFAULT_REPLAYS.concurrency);
  });
});
