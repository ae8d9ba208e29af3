import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { HEALTH_TIMING, HEALTHCHECKS, healthcheck, randomSecretCommand } from "./docker";
import { ALIASES, labelList, Naming } from "./naming";
import { parseRunnerJson, parseSeed, parseSummary, replaysCommand, seedCommand } from "../../runner/invoke";
import { shellQuote } from "./shell";
import { buildHarnessTarget, clientHost, databaseUrl, edgeClientHost, httpUrl, tenantUrl } from "./target";

describe("naming", () => {
  const n = new Naming("harness", "ci-7");
  test("docker objects and images are named after the stack", () => {
    assert.equal(n.object("postgres-alpha"), "ci-7-postgres-alpha");
    assert.equal(n.imageRepository("cp-stub"), "harness-ci-7/cp-stub");
    assert.equal(n.stackLabel, "harness/ci-7");
  });
  test("labels: stack and role, extra ones, sorted list shape", () => {
    assert.deepEqual(labelList(n.labels("tenant", { "harness.tenant": "alpha" })), [
      { label: "harness.role", value: "tenant" },
      { label: "harness.stack", value: "harness/ci-7" },
      { label: "harness.tenant", value: "alpha" },
    ]);
  });
  test("aliases carry no stack prefix (one network per stack)", () => {
    assert.equal(ALIASES.postgres("beta"), "postgres-beta");
    assert.equal(ALIASES.tenant("beta"), "tenant-beta");
  });
});

describe("docker helpers", () => {
  test("healthchecks probe every half second with explicit timeout, retries and start period", () => {
    assert.deepEqual(healthcheck(["CMD", "true"]), { tests: ["CMD", "true"], ...HEALTH_TIMING });
    assert.equal(HEALTH_TIMING.interval, "500ms");
    assert.deepEqual(HEALTHCHECKS.postgres("u", "d"), [
      "CMD",
      "pg_isready",
      "-U",
      "u",
      "-d",
      "d",
      "-h",
      "127.0.0.1",
    ]);
  });
  test("random secret commands print only the secret, fresh each run, in the right shape", () => {
    const run = (kind: "token" | "key32" | "password") =>
      execFileSync("/bin/sh", ["-c", randomSecretCommand(kind)], { encoding: "utf8" });
    const key = run("key32");
    assert.equal(Buffer.from(key, "base64").length, 32);
    assert.notEqual(run("key32"), key);
    assert.match(run("token"), /^[A-Za-z0-9_-]{43}$/);
    assert.match(run("password"), /^[0-9a-f]{48}$/);
  });
});

describe("runner invocation", () => {
  test("seed and replays command lines (docs/design.md#components-and-commands)", () => {
    assert.equal(seedCommand(), "node runner/dist/cli.js seed");
    assert.equal(
      replaysCommand({
        replaysDir: "replays",
        include: ["tenant-*"],
        exclude: ["it's"],
        timeoutSeconds: 60,
        concurrency: 2,
      }),
      "node runner/dist/cli.js run --command-mode --replays-dir replays --include 'tenant-*' --exclude 'it'\\''s' --timeout 60 --concurrency 2",
    );
  });
  test("shellQuote survives /bin/sh", () => {
    for (const arg of ["plain", "a b", "it's", "$HOME", "*", "a\nb", ""]) {
      assert.equal(
        execFileSync("/bin/sh", ["-c", `printf %s ${shellQuote(arg)}`], { encoding: "utf8" }),
        arg,
      );
    }
  });
  test("stdout JSON is parsed; a stray line before it is tolerated; no JSON is a clear error", () => {
    assert.deepEqual(parseRunnerJson('{"a":1}\n', "seed"), { a: 1 });
    assert.deepEqual(parseRunnerJson('npm notice\n{"a":2}', "seed"), { a: 2 });
    assert.throws(() => parseRunnerJson("boom", "seed"), /the seed printed no JSON on stdout \(got "boom"\)/);
    assert.throws(() => parseSeed('{"x":1}'), /the seed's JSON lacks tenants/);
    assert.throws(
      () => parseSummary('{"total":1}'),
      /lacks passed, failed, skipped, xfailed, xpassed, durationMs, results/,
    );
  });
});

describe("target and URLs", () => {
  test("host-side URLs", () => {
    assert.equal(clientHost("0.0.0.0"), "127.0.0.1");
    assert.equal(clientHost("::1"), "[::1]");
    assert.equal(httpUrl("127.0.0.1", 8080), "http://127.0.0.1:8080");
    assert.equal(
      tenantUrl("harness-tenant-alpha.localhost", 8080),
      "http://harness-tenant-alpha.localhost:8080",
    );
    assert.equal(
      databaseUrl("127.0.0.1", "p@ss/w", 5555),
      "postgres://harness:p%40ss%2Fw@127.0.0.1:5555/molecule?sslmode=disable",
    );
  });
  test("a remote engine: every URL names its client address; tenants need their Host header there", () => {
    assert.equal(
      databaseUrl("fd00::5", "p", 5555),
      "postgres://harness:p@[fd00::5]:5555/molecule?sslmode=disable",
    );
    assert.equal(
      edgeClientHost("10.0.0.5", "10.0.0.5", "engine-1.ci"),
      "engine-1.ci",
      "the edge on the engine",
    );
    assert.equal(edgeClientHost("0.0.0.0", "127.0.0.1", "127.0.0.1"), "127.0.0.1", "no engine: as before");
    assert.equal(edgeClientHost("192.168.1.9", "127.0.0.1", "127.0.0.1"), "192.168.1.9");
    assert.equal(
      tenantUrl("harness-tenant-a.localhost", 8080, "[::1]"),
      "http://harness-tenant-a.localhost:8080",
    );
    assert.equal(tenantUrl("harness-tenant-a.localhost", 8080, "10.0.0.5"), "http://10.0.0.5:8080");
    const target = buildHarnessTarget({
      stack: "ci",
      repoRoot: "/repo",
      edgeBindAddress: "10.0.0.5",
      edgePort: 40000,
      cpStubPort: 40001,
      publishAddress: "10.0.0.5",
      clientAddress: "10.0.0.5",
      engine: { host: "tcp://10.0.0.5:2376", certPath: "/certs" },
      tenants: [
        {
          name: "a",
          host: "harness-tenant-a.localhost",
          orgId: "o",
          adminToken: "t",
          postgresPassword: "p",
          postgresPort: 40002,
          container: "ci-tenant-a",
        },
      ],
      expectedGitSha: undefined,
      containers: ["ci-tenant-a"],
    });
    assert.equal(target.edgeUrl, "http://10.0.0.5:40000");
    assert.equal(target.cpStubUrl, "http://10.0.0.5:40001");
    assert.equal(
      target.tenants[0].databaseUrl,
      "postgres://harness:p@10.0.0.5:40002/molecule?sslmode=disable",
    );
    assert.deepEqual(target.engine, { host: "tcp://10.0.0.5:2376", certPath: "/certs" }, "the runner's logs");
  });
  test("HarnessTarget from resolved values", () => {
    const target = buildHarnessTarget({
      stack: "ci",
      repoRoot: "/repo",
      edgeBindAddress: "0.0.0.0",
      edgePort: 40000,
      cpStubPort: undefined,
      tenants: [
        {
          name: "a",
          host: "harness-tenant-a.localhost",
          orgId: "o",
          adminToken: "t",
          postgresPassword: "p",
          postgresPort: 1,
          container: "ci-tenant-a",
        },
      ],
      expectedGitSha: undefined,
      containers: ["ci-tenant-a"],
    });
    assert.deepEqual(target, {
      stack: "ci",
      edgeUrl: "http://127.0.0.1:40000",
      legacyHost: "harness-tenant.localhost",
      cpStubUrl: "",
      tenants: [
        {
          name: "a",
          host: "harness-tenant-a.localhost",
          orgId: "o",
          adminToken: "t",
          databaseUrl: "postgres://harness:p@127.0.0.1:1/molecule?sslmode=disable",
          container: "ci-tenant-a",
        },
      ],
      containers: ["ci-tenant-a"],
      reportsDir: "/repo/.harness/reports/ci",
    });
  });
});
