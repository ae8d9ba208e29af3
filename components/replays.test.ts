/**
 * The replays under plain setMocks: one `<name>-command` running the bundled runner in command mode
 * with the replay options on its command line (shell-quoted), the target (secret), the seed and the
 * suites in its environment, never on the command line; triggers that change with the content hash,
 * the images and containers under test, the suites' hash (only when there are suites) and the rerun
 * nonce; the summary parsed from stdout, `passed` false when a replay failed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { SuiteSpec } from "../program/contracts/suites";
import type { ReplaySummary } from "../program/contracts/summary";
import { Replays, type ReplaysArgs } from "./replays";
import { recordDeclarations, the, valueOf } from "./test-support/declare";

const REPO = join(__dirname, "..");
const COMMAND = "command:local:Command";
const TARGET = JSON.stringify({ tenants: [{ name: "alpha", adminToken: "tok-SECRET-123" }] });
const SEED = JSON.stringify({ tenants: { alpha: { parent: "ws-1", child: "ws-2" } } });
const SUITES: SuiteSpec[] = [
  { name: "api", command: "bash test_api.sh", cwd: "tests/e2e", timeoutSeconds: 600 },
];

function summary(failed: number): string {
  const s: ReplaySummary = {
    total: 3,
    passed: 3 - failed,
    failed,
    skipped: 0,
    xfailed: 0,
    xpassed: 0,
    durationMs: 1234,
    results: [],
    reports: { json: ".harness/ci-7/summary.json", junit: ".harness/ci-7/junit.xml", artifacts: null },
  };
  return JSON.stringify(s);
}

const NAMES = [
  "replays",
  "r-base",
  "r-content",
  "r-tested",
  "r-suites-hash",
  "r-no-suites",
  "r-no-suites-hash",
];

test("replays: the runner's command line, a secret environment, triggers that follow every input, the summary", async () => {
  const stdout = Object.fromEntries(NAMES.map((n) => [`${n}-command`, summary(0)]));
  stdout["replays-command"] = `a stray log line\n${summary(1)}\n`;
  const declared = await recordDeclarations({ stdout });

  const base: ReplaysArgs = {
    repoRoot: REPO,
    target: pulumi.output(TARGET),
    seed: SEED,
    replaysDir: "replays",
    include: ["auth/**", "billing-*.ts"],
    exclude: ["it's slow/*"],
    timeoutSeconds: 90,
    concurrency: 4,
    contentHash: "c1",
    suites: SUITES,
    suitesHash: "s1",
    tested: [pulumi.output("image:tenant=sha256:aaa"), "container:ci-7-tenant-alpha=id-1"],
    after: [],
  };
  const replays = new Replays("replays", { ...base, rerunNonce: "2024-01-01T00:00:00Z" });
  const variants = [
    new Replays("r-base", base),
    new Replays("r-content", { ...base, contentHash: "c2" }),
    new Replays("r-tested", {
      ...base,
      tested: ["image:tenant=sha256:bbb", "container:ci-7-tenant-alpha=id-1"],
    }),
    new Replays("r-suites-hash", { ...base, suitesHash: "s2" }),
    new Replays("r-no-suites", { ...base, suites: [] }),
    new Replays("r-no-suites-hash", { ...base, suites: [], suitesHash: "s2" }),
  ];
  assert.equal(await valueOf(replays.passed), false, "a failed replay fails the gate");
  assert.equal((await valueOf(replays.summary)).failed, 1, "the last JSON line of stdout");
  assert.equal((await valueOf(replays.reports)).junit, ".harness/ci-7/junit.xml");
  await Promise.all(variants.map((v) => valueOf(v.passed)));
  assert.equal(await valueOf(variants[0].passed), true);

  const cmd = the(declared, COMMAND, "replays-command");
  const create = String(cmd.inputs.create);
  assert.match(create, /^node runner\/dist\/cli\.js run --command-mode /, "the bundle, in command mode");
  assert.match(create, / --replays-dir replays /);
  assert.match(create, / --include 'auth\/\*\*' --include 'billing-\*\.ts' /, "globs quoted for sh");
  assert.match(create, / --exclude 'it'\\''s slow\/\*' /);
  assert.match(create, / --timeout 90 --concurrency 4$/);
  assert.equal(cmd.inputs.update, create, "an update re-runs the same way");
  assert.equal(cmd.inputs.dir, REPO);
  assert.equal(cmd.inputs.logging, "stderr");
  assert.ok(!create.includes("tok-SECRET-123") && !create.includes("ws-1"), "no target or seed on the line");

  assert.equal(await pulumi.isSecret(replays.command.environment), true, "the target is secret in state");
  const env = (await valueOf(replays.command.environment)) ?? {};
  assert.equal(env.HARNESS_TARGET, TARGET);
  assert.equal(env.HARNESS_SEED, SEED);
  assert.deepEqual(JSON.parse(env.HARNESS_SUITES ?? "null"), SUITES);
  const noSuitesEnv = (await valueOf(variants[4].command.environment)) ?? {};
  assert.deepEqual(
    Object.keys(noSuitesEnv).sort(),
    ["HARNESS_SEED", "HARNESS_TARGET"],
    "no suites, no variable",
  );

  const triggers = (name: string) => the(declared, COMMAND, `${name}-command`).inputs.triggers as string[];
  assert.deepEqual(triggers("replays"), [
    "content:c1",
    "image:tenant=sha256:aaa",
    "container:ci-7-tenant-alpha=id-1",
    "suites:s1",
    "rerun:2024-01-01T00:00:00Z",
  ]);
  for (const [name, what] of [
    ["r-content", "the replays/runner/contracts hash"],
    ["r-tested", "an image under test"],
    ["r-suites-hash", "a suite's files or config"],
    ["r-no-suites", "dropping the suites"],
  ]) {
    assert.notDeepEqual(triggers(name), triggers("r-base"), `${what} re-runs the replays`);
  }
  assert.notDeepEqual(triggers("replays"), triggers("r-base"), "a rerun nonce re-runs them");
  assert.deepEqual(
    triggers("r-no-suites-hash"),
    triggers("r-no-suites"),
    "without suites, their hash re-runs nothing",
  );
});
