/**
 * `npm run harness` with a configured engine (scripts/one-shot/run.ts), in process with stand-ins: the
 * preflight pings the stack's `harness:engine` and says in one line what to do when it does not
 * answer; `--engines` picks the least-loaded engine of a pool by its stacks' labels, runs the up
 * there (as this up's `harness:engine`, the stack file unchanged) and records the pick in
 * harness.json. The real thing: tests/engine/remote.pulumi.test.ts.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { EngineAccess } from "../../program/contracts/engine";
import type { ReplaySummary } from "../../program/contracts/summary";
import { assertDockerReachable, dockerClient } from "../../program/lib/docker-api/client";
import { runHarness, type HarnessDeps } from "./run";

const scratch = mkdtempSync(join(tmpdir(), "harness-engine-run-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
const certs = join(scratch, "certs");
mkdirSync(certs);
// A real (self-signed) certificate: the refused connection, not the PEM parse, is what fails below.
execFileSync("openssl", [
  "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
  "-subj", "/CN=harness-test", "-keyout", join(certs, "key.pem"), "-out", join(certs, "cert.pem"),
], { stdio: "ignore" }); // prettier-ignore
copyFileSync(join(certs, "cert.pem"), join(certs, "ca.pem"));

const SUMMARY = {
  total: 1,
  passed: 1,
  failed: 0,
  skipped: 0,
  xfailed: 0,
  xpassed: 0,
  durationMs: 10,
  results: [{ name: "strict-auth", status: "PASS", durationMs: 10, closes: "", message: "ok" }],
  reports: { json: "/tmp/fake/results.json", junit: "/tmp/fake/junit.xml", artifacts: null },
} as unknown as ReplaySummary;

let n = 0;
async function harness(stackConfig: string, argv: string[], over: Partial<HarnessDeps> = {}) {
  const root = join(scratch, `p${n++}`);
  mkdirSync(root);
  writeFileSync(join(root, "Pulumi.yaml"), "name: harness\nruntime: nodejs\n");
  writeFileSync(join(root, "Pulumi.harness.yaml"), `config:\n${stackConfig}`);
  const seen = { log: "", pinged: [] as (EngineAccess | undefined)[], config: undefined as unknown, ups: 0 };
  const deps: HarnessDeps = {
    workDir: root,
    repoRoot: root,
    env: {},
    argv,
    nodeVersion: "v20.20.2",
    log: (line) => (seen.log += `${line}\n`),
    findPulumi: async () => ({ version: "v3.276.0", source: "toolchain", env: {} }),
    installPulumi: async () => undefined,
    goAvailable: async () => true,
    pingDocker: async (engine) => void seen.pinged.push(engine),
    ownEdgeHolds: async () => false,
    engine: (_cli, _stack, _env, config) => {
      seen.config = config;
      return {
        up: async () => (
          seen.ups++,
          {
            ok: true,
            steps: [],
            output: "",
            outputs: {
              replays: { value: SUMMARY, secret: false },
              replaysPassed: { value: true, secret: false },
              reports: { value: SUMMARY.reports, secret: false },
            },
          }
        ),
        destroy: async () => ({ ok: true, steps: [], output: "" }),
      };
    },
    onSignal: () => () => undefined,
    ...over,
  };
  const code = await runHarness(deps);
  return { code, root, ...seen };
}

test("the preflight pings the stack's harness:engine, not Docker's default", async () => {
  const run = await harness(
    `  harness:engine:\n    host: tcp://10.0.0.5:2376\n    tls: {certPath: ${certs}}\n`,
    [],
  );
  assert.equal(run.code, 0, run.log);
  assert.deepEqual(run.pinged, [
    { host: "tcp://10.0.0.5:2376", certPath: certs, publishAddress: "10.0.0.5", clientAddress: "10.0.0.5" },
  ]);
  const local = await harness("  harness:edge: {port: 0}\n", []);
  assert.deepEqual(local.pinged, [undefined], "no harness:engine: Docker's defaults");
});

test("an unreachable engine: one line saying which, and what to check; nothing is started", async () => {
  const engine = { host: "tcp://127.0.0.1:1", certPath: certs };
  // The real message, from a real (refused) connection to a port nothing listens on.
  const error = await assertDockerReachable(dockerClient({ ...engine }), 2000, engine).then(
    () => assert.fail("port 1 answered"),
    (e: Error) => e,
  );
  const run = await harness(
    `  harness:engine: {host: "tcp://127.0.0.1:1", tls: {certPath: ${certs}}}\n`,
    [],
    {
      pingDocker: async () => {
        throw error;
      },
    },
  );
  assert.equal(run.code, 2);
  assert.equal(run.ups, 0, "nothing was started");
  const line = run.log.split("\n").find((l) => l.includes("is not reachable"));
  assert.match(
    String(line),
    /✗ the Docker engine at tcp:\/\/127\.0\.0\.1:1 \(harness:engine\) is not reachable \(.*ECONNREFUSED.*\)$/,
  );
  assert.match(
    run.log,
    /fix: check that dockerd runs there with --tlsverify and listens on tcp:\/\/127\.0\.0\.1:1/,
  );
  assert.doesNotMatch(run.log, /BEGIN/, "no key material in messages");
});

test("--engines: the least-loaded engine under its cap runs the up; harness.json records it", async () => {
  const pool = join(scratch, "pool.yaml");
  writeFileSync(
    pool,
    [
      "maxStacks: 2",
      "engines:",
      `  - {name: ci-1, host: "tcp://10.0.0.5:2376", tls: {certPath: ${certs}}}`,
      `  - {name: ci-2, host: "tcp://10.0.0.6:2376", tls: {certPath: ${certs}}}`,
      `  - {name: ci-3, host: "tcp://10.0.0.7:2376", tls: {certPath: ${certs}}}`,
    ].join("\n"),
  );
  const running: Record<string, string[]> = {
    "tcp://10.0.0.5:2376": ["harness/a", "harness/b"],
    "tcp://10.0.0.6:2376": ["harness/c"],
  };
  const run = await harness("  harness:edge: {port: 0}\n", ["--engines", pool], {
    stacksOn: async (e) => {
      if (e.host === "tcp://10.0.0.7:2376") throw new Error("connect ETIMEDOUT");
      return running[e.host!] ?? [];
    },
  });
  assert.equal(run.code, 0, run.log);
  assert.match(run.log, /engine pool: ci-2 \(tcp:\/\/10\.0\.0\.6:2376; 1\/2 stacks running\)/);
  assert.deepEqual(run.config, {
    "harness:engine": {
      host: "tcp://10.0.0.6:2376",
      tls: { certPath: certs },
      publishAddress: "10.0.0.6",
      clientAddress: "10.0.0.6",
    },
  });
  assert.equal(run.pinged[0]?.host, "tcp://10.0.0.6:2376", "the preflight pings the pick");
  assert.equal(
    readFileSync(join(run.root, "Pulumi.harness.yaml"), "utf8"),
    "config:\n  harness:edge: {port: 0}\n",
  );
  const record = JSON.parse(
    readFileSync(join(run.root, ".harness", "reports", "harness", "harness.json"), "utf8"),
  ) as { engine?: unknown };
  assert.deepEqual(record.engine, { name: "ci-2", host: "tcp://10.0.0.6:2376" });

  const full = await harness("  harness:edge: {port: 0}\n", ["--engines", pool], {
    stacksOn: async () => ["harness/x", "harness/y"],
  });
  assert.equal(full.code, 2);
  assert.equal(full.ups, 0);
  assert.match(
    full.log,
    /✗ no engine of the pool can take the stack \(ci-1: 2\/2 stacks; ci-2: 2\/2 stacks; ci-3: 2\/2 stacks\)/,
  );
  assert.match(full.log, /fix: wait for a stack to finish, raise maxStacks, or add an engine/);

  const bad = await harness("", ["--engines", join(scratch, "missing.yaml")]);
  assert.equal(bad.code, 2);
  assert.match(bad.log, /✗ --engines .*missing\.yaml: cannot read/);
});
