/**
 * Shell compatibility: a bash replay in the anchor's style (set -euo pipefail, sources ../_curl.sh
 * and ../.seed.env, curl_alpha_admin, curl_beta_creds_at_alpha, psql_exec_alpha, jq) runs UNMODIFIED
 * under the runner against a loopback fake tenant backed by a real postgres — PASS when the tenant
 * behaves, FAIL when it misbehaves, and two stacks at once from one checkout do not interfere.
 */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Client } from "pg";
import { requireBinary } from "../tools/loopback/binaries";
import { startPostgres, type LoopbackPostgres } from "../tools/loopback/postgres";
import type { SeedResult } from "../program/contracts/seed";
import type { HarnessTarget } from "../program/contracts/target";
import { runReplays, type RunOptions } from "./run";
import { seed } from "./seed";
import { startFakeEdge, type FakeEdge } from "./test-support/fake-edge";
import { makeReplayDir, makeTarget, REPO_ROOT, type ReplayDir } from "./test-support/fixtures";

const ANCHOR_REPLAY = join(__dirname, "test-support", "anchor-replays", "tenant-isolation.sh");

interface Stack {
  edge: FakeEdge;
  target: HarnessTarget;
  seed: SeedResult;
}

async function createDatabase(pg: LoopbackPostgres, name: string): Promise<string> {
  const client = new Client({ connectionString: pg.url });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  return pg.url.replace(/\/molecule\?/, `/${name}?`);
}

describe("shell compatibility: anchor-style bash replays run unmodified", () => {
  let pg: LoopbackPostgres;
  let dir: ReplayDir;
  const stacks: Stack[] = [];

  before(async () => {
    // CI installs these; a missing one must fail loudly with the install hint, never skip.
    requireBinary("bash", "bash");
    requireBinary("curl", "curl");
    requireBinary("jq", "jq");
    requireBinary("psql", "postgresql-client");
    pg = await startPostgres();
    dir = makeReplayDir("shell-compat-");
    // The committed repo-root shims, as they are, one level above the replays directory.
    copyFileSync(join(REPO_ROOT, "_curl.sh"), join(dir.root, "_curl.sh"));
    copyFileSync(join(REPO_ROOT, ".seed.env"), join(dir.root, ".seed.env"));
    dir.write("tenant-isolation.sh", readFileSync(ANCHOR_REPLAY, "utf8"), 0o644);
    for (const stackName of ["one", "two"]) {
      const base = makeTarget({ stack: stackName, reportsDir: join(dir.root, `reports-${stackName}`) });
      const tenants = [];
      for (const t of base.tenants) {
        const databaseUrl = await createDatabase(pg, `${stackName}_${t.name}`);
        tenants.push({ ...t, adminToken: `${t.adminToken}-${stackName}`, databaseUrl });
      }
      const edge = await startFakeEdge({
        tenants: tenants.map((t) => ({ ...t, storeUrl: t.databaseUrl })),
        legacyHost: base.legacyHost,
      });
      const target = { ...base, tenants, edgeUrl: edge.url };
      stacks.push({ edge, target, seed: await seed({ target, progress: () => undefined }) });
    }
  });
  after(async () => {
    await Promise.all(stacks.map((s) => s.edge.close()));
    await pg?.stop();
  });

  const options = (stack: Stack): RunOptions => ({
    replaysDir: dir.replays,
    target: stack.target,
    seed: stack.seed,
    progress: () => undefined,
    logSource: null,
    journal: null,
    stepSummaryFile: null,
  });

  test("PASS against a tenant that behaves (not executable, run via bash)", async () => {
    const summary = await runReplays(options(stacks[0]));
    const [result] = summary.results;
    assert.equal(
      result.status,
      "PASS",
      `${result.message}\n${readFileSync(join(stacks[0].target.reportsDir, "output", "tenant-isolation.log"), "utf8")}`,
    );
    assert.match(result.message, /^17\/17 — TenantGuard isolation \+ per-tenant DB partitioning hold/);
  });

  test("two stacks from one checkout at the same time: each replay sees only its own stack", async () => {
    const [a, b] = await Promise.all(stacks.map((s) => runReplays(options(s))));
    assert.equal(a.results[0].status, "PASS", a.results[0].message);
    assert.equal(b.results[0].status, "PASS", b.results[0].message);
    assert.notEqual(stacks[0].seed.tenants.alpha.parent, stacks[1].seed.tenants.alpha.parent);
    const sent = (s: Stack) => s.edge.requests.map((r) => r.headers.authorization).filter(Boolean);
    assert.ok(sent(stacks[0]).every((h) => String(h).endsWith("-one")));
    assert.ok(sent(stacks[1]).every((h) => String(h).endsWith("-two")));
  });

  test("FAIL when the tenant accepts another tenant's credentials", async () => {
    const stack = stacks[0];
    stack.edge.misbehave.guardOff = true;
    stack.edge.misbehave.anyBearer = true;
    try {
      const [result] = (await runReplays(options(stack))).results;
      assert.equal(result.status, "FAIL");
      assert.equal(result.message, "B1 alpha creds at beta: expected HTTP 404, got 200");
    } finally {
      stack.edge.misbehave.guardOff = false;
      stack.edge.misbehave.anyBearer = false;
    }
  });

  test("FAIL when one tenant's list leaks the other's workspaces", async () => {
    const stack = stacks[0];
    stack.edge.misbehave.leakAcrossTenants = true;
    try {
      const [result] = (await runReplays(options(stack))).results;
      assert.equal(result.status, "FAIL");
      assert.equal(
        result.message,
        "F1 alpha names: expected 'alpha-child,alpha-parent', got 'alpha-child,alpha-parent,beta-child,beta-parent'",
      );
    } finally {
      stack.edge.misbehave.leakAcrossTenants = false;
    }
  });

  test("FAIL (not a crash of the runner) when the DB disagrees with the seed ids", async () => {
    const stack = stacks[0];
    const wrongSeed: SeedResult = {
      tenants: {
        ...stack.seed.tenants,
        alpha: { ...stack.seed.tenants.alpha, parent: "00000000-0000-4000-8000-000000000000" },
      },
    };
    const [result] = (await runReplays({ ...options(stack), seed: wrongSeed })).results;
    assert.equal(result.status, "FAIL");
    assert.match(
      result.message,
      /^F3 alpha parent id in alpha's DB: expected '00000000-0000-4000-8000-000000000000', got '[0-9a-f-]{36}'$/,
    );
  });

  test("new scripts: $HARNESS_HELPERS and the per-name helpers work for any tenant name", async () => {
    const generic = makeReplayDir("shell-generic-");
    generic.write(
      "generic.sh",
      [
        "set -euo pipefail",
        'source "$HARNESS_HELPERS"',
        'code=$(curl_tenant_admin beta -o /dev/null -w "%{http_code}" "$BASE/workspaces")',
        '[ "$code" = 200 ] || { echo "FAIL: beta admin got $code"; exit 1; }',
        'code=$(curl_creds_at alpha beta -o /dev/null -w "%{http_code}" "$BASE/workspaces")',
        '[ "$code" = 404 ] || { echo "FAIL: alpha creds at beta got $code"; exit 1; }',
        'n=$(psql_exec_tenant beta -c "SELECT count(*) FROM workspaces")',
        '[ "$n" = 2 ] || { echo "FAIL: beta has $n workspaces"; exit 1; }',
        'if curl_tenant_admin gamma "$BASE/workspaces" 2>/dev/null; then echo "FAIL: gamma exists?"; exit 1; fi',
        'echo "[replay] PASS: generic helpers"',
      ].join("\n"),
    );
    const summary = await runReplays({
      ...options(stacks[0]),
      replaysDir: generic.replays,
      target: { ...stacks[0].target, reportsDir: generic.reports },
    });
    assert.equal(summary.results[0].status, "PASS", summary.results[0].message);
  });

  test("outside the runner, the .seed.env shim fails with a clear message", async () => {
    const { spawnSync } = await import("node:child_process");
    const run = spawnSync(
      "bash",
      ["-c", `set -euo pipefail; source "${join(REPO_ROOT, ".seed.env")}"; echo unreachable`],
      {
        env: { PATH: process.env.PATH },
        encoding: "utf8",
      },
    );
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /ALPHA_PARENT_ID: is not set: run replays through the runner/);
    assert.doesNotMatch(run.stdout, /unreachable/);
  });
});
