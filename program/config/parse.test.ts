import assert from "node:assert/strict";
import { HEALTHCHECKS } from "../lib/docker";
import { describe, test } from "node:test";
import { ConfigError } from "./errors";
import { harnessKeys, parseHarnessConfig, type ParseContext } from "./parse";
import { DEFAULT_BASE_IMAGES, DEFAULT_USER_TENANT_HEALTHCHECK } from "./schema";

const dirs = new Set([
  "/repo/replays",
  "/repo/other-replays",
  "/src/monorepo",
  "/src/monorepo/workspace-server",
]);
const files = new Set(["/src/monorepo/workspace-server/Dockerfile.tenant", "/src/monorepo/Dockerfile"]);
const ctx: ParseContext = {
  project: "harness",
  stack: "harness",
  repoRoot: "/repo",
  env: {},
  isDirectory: (p) => dirs.has(p),
  isFile: (p) => files.has(p),
};

/** Config as the CLI passes it: structured values JSON-encoded. */
function raw(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

function parse(values: Record<string, unknown>, over: Partial<ParseContext> = {}) {
  return parseHarnessConfig(raw(values), { ...ctx, ...over });
}

function problems(values: Record<string, unknown>, over: Partial<ParseContext> = {}): ConfigError {
  try {
    parse(values, over);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the config to be rejected");
}

describe("defaults", () => {
  test("an empty config is the anchor's final topology with the reference tenant", () => {
    const cfg = parse({});
    assert.deepEqual(
      cfg.tenants.map((t) => [t.name, t.orgId, t.adminToken]),
      [
        ["alpha", "harness-org-alpha", undefined],
        ["beta", "harness-org-beta", undefined],
      ],
    );
    assert.deepEqual(cfg.tenantImage, { kind: "reference" });
    assert.deepEqual(cfg.tenantHealthcheck, {
      test: [...HEALTHCHECKS.tenant],
    });
    assert.deepEqual(cfg.edge, {
      port: 8080,
      bindAddress: "127.0.0.1",
      forwardedProto: "https",
      readTimeoutSeconds: 100,
      maxBodySize: "100m",
    });
    assert.deepEqual(cfg.baseImages, DEFAULT_BASE_IMAGES);
    assert.deepEqual(cfg.replays, {
      dir: "replays",
      absDir: "/repo/replays",
      include: [],
      exclude: [],
      timeoutSeconds: 120,
      concurrency: 3,
      rerun: "on-change",
    });
    assert.equal(cfg.gitSha, "harness");
    assert.equal(cfg.gitShaKnown, true);
    assert.deepEqual(cfg.cpStub, { publish: true });
    assert.equal(cfg.rateLimit, 1000);
    assert.equal(cfg.waitTimeoutSeconds, 120);
    assert.equal(cfg.encryptionKey, undefined);
    assert.equal(cfg.rebuildNonce, "");
    assert.equal(cfg.imageBuilder, "BuilderBuildKit");
    assert.equal(cfg.keepImages, false);
    assert.deepEqual(cfg.tenantEnv, {});
  });

  test("scalars arrive as strings from the CLI and are decoded", () => {
    const cfg = parse({ rateLimit: "50", waitTimeoutSeconds: "30", keepImages: "true", edge: { port: "0" } });
    assert.equal(cfg.rateLimit, 50);
    assert.equal(cfg.waitTimeoutSeconds, 30);
    assert.equal(cfg.keepImages, true);
    assert.equal(cfg.edge.port, 0);
  });

  test("harnessKeys keeps only the harness namespace, without it", () => {
    assert.deepEqual(harnessKeys({ "harness:edge": "{}", "aws:region": "x", "harness:gitSha": "abc" }), {
      edge: "{}",
      gitSha: "abc",
    });
  });
});

describe("valid variants", () => {
  test("tenants with org ids and configured admin tokens", () => {
    const cfg = parse({
      tenants: [
        { name: "one", orgId: "3f2b8c1e-0000-4000-8000-000000000001", adminToken: "a".repeat(32) },
        { name: "two" },
      ],
    });
    assert.equal(cfg.tenants[0].orgId, "3f2b8c1e-0000-4000-8000-000000000001");
    assert.equal(cfg.tenants[0].adminToken, "a".repeat(32));
    assert.equal(cfg.tenants[1].orgId, "harness-org-two");
  });

  test("a user build: compose semantics (dockerfile relative to the context), GIT_SHA from gitSha", () => {
    const cfg = parse({
      tenantImage: {
        build: {
          context: "/src/monorepo",
          dockerfile: "workspace-server/Dockerfile.tenant",
          args: { FOO: "1" },
        },
      },
      gitSha: "0123abc",
    });
    assert.deepEqual(cfg.tenantImage, {
      kind: "build",
      context: "/src/monorepo",
      dockerfile: "/src/monorepo/workspace-server/Dockerfile.tenant",
      args: { FOO: "1" },
    });
    assert.deepEqual(cfg.tenantHealthcheck, { test: DEFAULT_USER_TENANT_HEALTHCHECK });
    assert.equal(cfg.gitSha, "0123abc");
  });

  test("a prebuilt image: nothing to expect from /buildinfo unless gitSha is set", () => {
    const cfg = parse({ tenantImage: { image: "registry.example.com/team/tenant:1.2.3" } });
    assert.deepEqual(cfg.tenantImage, { kind: "image", image: "registry.example.com/team/tenant:1.2.3" });
    assert.equal(cfg.gitShaKnown, false);
    assert.equal(parse({ tenantImage: { image: "tenant:1" }, gitSha: "abc" }).gitShaKnown, true);
  });

  test("healthcheck override: the image's own, or a test list", () => {
    assert.equal(
      parse({ tenantImage: { image: "tenant:1", healthcheck: "image" } }).tenantHealthcheck,
      "image",
    );
    assert.deepEqual(parse({ tenantImage: { healthcheck: ["CMD", "true"] } }).tenantHealthcheck, {
      test: ["CMD", "true"],
    });
  });

  test("local stand-in base images, a random edge port, replays options", () => {
    const cfg = parse({
      baseImages: { node: "harness-local/node:20", postgres: "harness-local/postgres:15" },
      edge: { port: 0, bindAddress: "0.0.0.0", forwardedProto: "http" },
      replays: {
        dir: "other-replays",
        include: ["tenant-*"],
        exclude: ["canary-*"],
        concurrency: 4,
        rerun: "always",
      },
    });
    assert.equal(cfg.baseImages.node, "harness-local/node:20");
    assert.equal(cfg.baseImages.nginx, DEFAULT_BASE_IMAGES.nginx);
    assert.equal(cfg.edge.port, 0);
    assert.equal(cfg.replays.absDir, "/repo/other-replays");
    assert.deepEqual(cfg.replays.include, ["tenant-*"]);
    assert.equal(cfg.replays.rerun, "always");
  });

  test("encryptionKey: base64 of 32 bytes or 32 raw characters", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    assert.equal(parse({ encryptionKey: key }).encryptionKey, key);
    assert.equal(parse({ encryptionKey: "x".repeat(32) }).encryptionKey, "x".repeat(32));
  });

  test("HARNESS_REBUILD_NONCE overrides rebuildNonce (REBUILD=1 in the one-shot runner)", () => {
    assert.equal(parse({ rebuildNonce: "a" }).rebuildNonce, "a");
    assert.equal(
      parse({ rebuildNonce: "a" }, { env: { HARNESS_REBUILD_NONCE: "1700000000" } }).rebuildNonce,
      "1700000000",
    );
  });
});

describe("invalid configs: each rejected with its own message and fix", () => {
  const cases: [string, Record<string, unknown>, Partial<ParseContext>, RegExp][] = [
    [
      "unknown key",
      { tenant: [] },
      {},
      /harness:tenant: unknown key\n {4}fix: did you mean harness:tenants\?/,
    ],
    [
      "bad tenant name",
      { tenants: [{ name: "Alpha_1" }] },
      {},
      /harness:tenants\[0\]\.name: string "Alpha_1" is not a valid tenant name/,
    ],
    [
      "duplicate tenant name",
      { tenants: [{ name: "a" }, { name: "a" }] },
      {},
      /harness:tenants\[1\]\.name: duplicate tenant name "a" \(also tenants\[0\]\)/,
    ],
    [
      "duplicate org id",
      {
        tenants: [
          { name: "a", orgId: "o" },
          { name: "b", orgId: "o" },
        ],
      },
      {},
      /harness:tenants\[1\]\.orgId: org id "o" is also used by tenants\[0\]/,
    ],
    ["empty tenant list", { tenants: [] }, {}, /harness:tenants: must be a non-empty list/],
    [
      "unknown tenant key",
      { tenants: [{ name: "a", org: "x" }] },
      {},
      /harness:tenants\[0\]\.org: unknown key\n {4}fix: did you mean "orgId"\?/,
    ],
    [
      "edge port out of range",
      { edge: { port: 70000 } },
      {},
      /harness:edge\.port: must be an integer from 0 to 65535, got number 70000/,
    ],
    [
      "edge port not a number",
      { edge: { port: "http" } },
      {},
      /harness:edge\.port: must be an integer from 0 to 65535, got string "http"/,
    ],
    [
      "bind address not an IP",
      { edge: { bindAddress: "localhost" } },
      {},
      /harness:edge\.bindAddress: must be an IP address/,
    ],
    [
      "bad forwarded proto",
      { edge: { forwardedProto: "wss" } },
      {},
      /harness:edge\.forwardedProto: must be "http" or "https"/,
    ],
    [
      "bad body cap",
      { edge: { maxBodySize: "100 MB" } },
      {},
      /harness:edge\.maxBodySize: must be an nginx size/,
    ],
    [
      "missing replays directory",
      { replays: { dir: "nope" } },
      {},
      /harness:replays\.dir: directory \/repo\/nope does not exist/,
    ],
    [
      "bad rerun policy",
      { replays: { rerun: "sometimes" } },
      {},
      /harness:replays\.rerun: must be "on-change" or "always"/,
    ],
    [
      "concurrency out of range",
      { replays: { concurrency: 0 } },
      {},
      /harness:replays\.concurrency: must be an integer from 1 to 16/,
    ],
    [
      "both build and image",
      { tenantImage: { build: { context: "/src/monorepo" }, image: "t:1" } },
      {},
      /harness:tenantImage: sets both build and image/,
    ],
    [
      "build without context",
      { tenantImage: { build: { dockerfile: "Dockerfile" } } },
      {},
      /harness:tenantImage\.build\.context: is required/,
    ],
    [
      "missing build context",
      { tenantImage: { build: { context: "/nowhere" } } },
      {},
      /harness:tenantImage\.build\.context: directory \/nowhere does not exist/,
    ],
    [
      "missing Dockerfile",
      { tenantImage: { build: { context: "/src/monorepo", dockerfile: "Dockerfile.nope" } } },
      {},
      /harness:tenantImage\.build\.dockerfile: file \/src\/monorepo\/Dockerfile\.nope does not exist/,
    ],
    [
      "GIT_SHA as a build arg",
      { tenantImage: { build: { context: "/src/monorepo", args: { GIT_SHA: "x" } } } },
      {},
      /harness:tenantImage\.build\.args\.GIT_SHA: GIT_SHA is set by the harness from harness:gitSha/,
    ],
    [
      "bad image reference",
      { tenantImage: { image: "Not An Image" } },
      {},
      /harness:tenantImage\.image: string "Not An Image" is not an image reference/,
    ],
    [
      "bad base image",
      { baseImages: { postgres: "POSTGRES" } },
      {},
      /harness:baseImages\.postgres: must be an image reference/,
    ],
    [
      "bad healthcheck",
      { tenantImage: { healthcheck: ["curl", "x"] } },
      {},
      /harness:tenantImage\.healthcheck: must be "image" .* or a Docker test list starting with CMD or CMD-SHELL/,
    ],
    [
      "tenantEnv overriding a production layer",
      { tenantEnv: { MOLECULE_ENV: "dev" } },
      {},
      /harness:tenantEnv\.MOLECULE_ENV: MOLECULE_ENV is set by the harness/,
    ],
    [
      "short admin token",
      { tenants: [{ name: "a", adminToken: "short" }] },
      {},
      /harness:tenants\[0\]\.adminToken: must be 16 to 256 printable characters without spaces \(value not shown\)/,
    ],
    [
      "encryption key of the wrong size",
      { encryptionKey: "dG9vLXNob3J0" },
      {},
      /harness:encryptionKey: must be 32 bytes, base64-encoded/,
    ],
    [
      "bad image builder",
      { imageBuilder: "kaniko" },
      {},
      /harness:imageBuilder: must be "BuilderBuildKit" or "BuilderV1"/,
    ],
    [
      "rate limit not positive",
      { rateLimit: -1 },
      {},
      /harness:rateLimit: must be an integer from 1 to 1000000/,
    ],
    ["keepImages not a boolean", { keepImages: "yes" }, {}, /harness:keepImages: must be true or false/],
    [
      "stack name unusable for Docker",
      {},
      { stack: "Dev" },
      /stack: stack name "Dev" cannot name Docker objects/,
    ],
    [
      "stack name ending in a dash",
      {},
      { stack: "ci-" },
      /stack: stack name "ci-" cannot name Docker objects/,
    ],
  ];
  for (const [what, values, over, expected] of cases) {
    test(what, () => {
      const error = problems(values, over);
      assert.equal(error.problems.length, 1, error.message);
      assert.match(error.message, expected);
      assert.ok(error.problems[0].fix.length > 10, "every problem says how to fix it");
    });
  }

  test("one error lists every problem at once", () => {
    const error = problems({
      tenants: [{ name: "A" }],
      edge: { port: -1, forwardedProto: "ftp" },
      replays: { dir: "nope" },
      bogus: 1,
    });
    assert.equal(error.problems.length, 5);
    assert.match(
      error.message,
      /^invalid harness configuration for stack "harness" \(5 problems\); nothing was created:/,
    );
    for (const key of ["bogus", "tenants[0].name", "edge.port", "edge.forwardedProto", "replays.dir"]) {
      assert.ok(error.message.includes(`harness:${key}:`), `mentions ${key}`);
    }
    assert.match(error.message, /docs\/pulumi\.md/);
  });

  test("secret values are never echoed", () => {
    const token = "short-secret";
    const key = "not-a-key-but-secret";
    const error = problems({ tenants: [{ name: "a", adminToken: token }], encryptionKey: key });
    assert.ok(!error.message.includes(token));
    assert.ok(!error.message.includes(key));
  });
});

describe("suites", () => {
  const withDirs = { isDirectory: (p: string) => dirs.has(p) || p === "/repo" || p.startsWith("/repo/e2e") };

  test("none by default; each suite normalised: cwd relative to the repo root, defaults applied", () => {
    assert.deepEqual(parse({}).suites, []);
    const cfg = parse(
      {
        suites: [
          { name: "api", command: "bash test_api.sh", cwd: "./e2e/bash/" },
          {
            name: "py.test_2",
            command: "python3 -m pytest --junitxml=out/junit.xml",
            cwd: "e2e/py",
            timeoutSeconds: "90",
            junit: "out/${HARNESS_STACK}-*.xml",
          },
          { name: "root", command: "make e2e" },
        ],
      },
      withDirs,
    );
    assert.deepEqual(cfg.suites, [
      { name: "api", command: "bash test_api.sh", cwd: "e2e/bash", timeoutSeconds: 600 },
      {
        name: "py.test_2",
        command: "python3 -m pytest --junitxml=out/junit.xml",
        cwd: "e2e/py",
        timeoutSeconds: 90,
        junit: "out/${HARNESS_STACK}-*.xml",
      },
      { name: "root", command: "make e2e", cwd: ".", timeoutSeconds: 600 },
    ]);
  });

  test("a sibling checkout may hold the suite (cwd ../…)", () => {
    const cfg = parse(
      { suites: [{ name: "api", command: "bash t.sh", cwd: "../src/monorepo" }] },
      { isDirectory: (p) => p === "/src/monorepo" || dirs.has(p) },
    );
    assert.equal(cfg.suites[0].cwd, "../src/monorepo");
  });

  test("every problem of every suite is listed, each with its fix", () => {
    const error = problems(
      {
        suites: [
          { name: "ok", command: "true" },
          { name: "ok", command: "true" },
          { name: "has space", command: "" },
          { command: "x", cwd: "/abs/path", junit: "/abs/junit.xml", extra: 1 },
          { name: "c", command: "x", cwd: "missing", timeoutSeconds: 0, junit: "../up/junit.xml" },
          { name: "d", command: "x", timeoutSeconds: 1.5, junit: "$HOME/junit.xml" },
          "bash test.sh",
        ],
      },
      withDirs,
    );
    const expected: [string, RegExp][] = [
      ["suites[1].name", /duplicate suite name "ok" \(also \[0\]\)/],
      ["suites[2].name", /string "has space" is not a valid suite name/],
      ["suites[2].command", /must be a non-empty shell command/],
      ["suites[3].extra", /unknown key/],
      ["suites[3].name", /is required/],
      ["suites[3].cwd", /"\/abs\/path" is absolute/],
      ["suites[3].junit", /"\/abs\/junit\.xml" is absolute/],
      ["suites[4].cwd", /directory \/repo\/missing does not exist/],
      ["suites[4].timeoutSeconds", /must be a positive whole number of seconds/],
      ["suites[4].junit", /leaves the suite's cwd/],
      ["suites[5].timeoutSeconds", /got number 1\.5/],
      ["suites[5].junit", /holds a "\$" other than \$\{HARNESS_STACK\}/],
      ["suites[6]", /must be an object like \{name: api/],
    ];
    assert.deepEqual(
      error.problems.map((p) => p.key).sort(),
      expected.map(([key]) => `harness:${key}`).sort(),
      error.message,
    );
    for (const [key, problem] of expected) {
      const found = error.problems.find((p) => p.key === `harness:${key}`);
      assert.match(found?.problem ?? "", problem, key);
      assert.ok((found?.fix.length ?? 0) > 10, `${key}: says how to fix it`);
    }
  });

  test("not a list", () => {
    const error = problems({ suites: "bash test_api.sh" });
    assert.match(
      error.message,
      /harness:suites: must be a list of \{name, command, cwd\?, timeoutSeconds\?, junit\?\}/,
    );
  });
});
