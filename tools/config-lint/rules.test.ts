/** Every coherence rule, both ways (tools/config-lint/rules.ts). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { envMap, type EnvVar } from "./env";
import {
  coherenceFindings,
  exitCodeOf,
  harnessHosts,
  insideHarness,
  tenantFindings,
  urlParts,
  type Finding,
  type TenantEnv,
} from "./rules";

const harnessVars = (vars: Record<string, string | EnvVar>): TenantEnv => ({
  tenant: "alpha",
  env: envMap(
    Object.entries(vars).map(([name, v]) =>
      typeof v === "string" ? { name, value: v, source: "harness", origin: "harness" as const } : v,
    ),
  ),
});
const prod = (vars: Record<string, string | EnvVar>) =>
  envMap(
    Object.entries(vars).map(([name, v]) => (typeof v === "string" ? { name, value: v, source: "env" } : v)),
  );
const hosts = harnessHosts(["alpha", "beta"]);

function run(h: Record<string, string | EnvVar>, p: Record<string, string | EnvVar>): Finding[] {
  return tenantFindings(harnessVars(h), prod(p), hosts).findings;
}
const summary = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.rule} ${f.variable}`);

describe("missing", () => {
  test("production sets it, the harness does not: error, with the fix", () => {
    const fs = run({}, { FEATURE_FLAGS_URL: "https://flags.example.com" });
    assert.deepEqual(summary(fs), ["error missing FEATURE_FLAGS_URL"]);
    assert.match(fs[0].message, /production sets it \(env\); the harness does not/);
    assert.match(fs[0].fix, /harness:tenantEnv\.FEATURE_FLAGS_URL/);
  });
  test("a secret production sets: the fix says wire it as a secret (not tenantEnv)", () => {
    const fs = run(
      {},
      { STRIPE_API_KEY: { name: "STRIPE_API_KEY", source: "secretKeyRef s/k", secret: true } },
    );
    assert.match(fs[0].fix, /lib\/tenant-env\.ts \(tenantEnvVars\) as a secret/);
  });
  test("set on both sides, or by the image's own ENV: no finding", () => {
    assert.deepEqual(
      run({ FEATURE_FLAGS_URL: "http://cp-stub:9090" }, { FEATURE_FLAGS_URL: "https://f.example" }),
      [],
    );
    const image: EnvVar = {
      name: "NODE_ENV",
      value: "production",
      source: "image ENV (reference-tenant/Dockerfile)",
      origin: "image",
    };
    assert.deepEqual(run({ NODE_ENV: image }, { NODE_ENV: "production" }), []);
  });
});

describe("extra", () => {
  test("the harness sets it, production does not: error", () => {
    const fs = run(
      {
        DEBUG_ROUTES: { name: "DEBUG_ROUTES", value: "1", source: "harness:tenantEnv", origin: "tenantEnv" },
      },
      {},
    );
    assert.deepEqual(summary(fs), ["error extra DEBUG_ROUTES"]);
    assert.match(fs[0].fix, /pulumi config rm --path 'harness:tenantEnv\.DEBUG_ROUTES'/);
  });
  test("a harness-managed variable production dropped: error pointing at tenantEnvVars", () => {
    const fs = run({ MOLECULE_CP_URL: "http://cp-stub:9090" }, {});
    assert.deepEqual(summary(fs), ["error extra MOLECULE_CP_URL"]);
    assert.match(fs[0].fix, /lib\/tenant-env\.ts \(tenantEnvVars\)/);
  });
  test("one of the harness's documented variables: not an error, with its reason", () => {
    const fs = run({ RATE_LIMIT: "1000", MEMORY_PLUGIN_DISABLE: "1" }, {});
    assert.deepEqual(summary(fs), ["documented extra RATE_LIMIT", "documented extra MEMORY_PLUGIN_DISABLE"]);
    assert.match(fs[0].reason!, /edge's one IP/);
    assert.equal(exitCodeOf(fs), 0);
  });
  test("what only the image's ENV sets is never extra (production runs the image too)", () => {
    const image: EnvVar = { name: "NODE_ENV", value: "production", source: "image ENV", origin: "image" };
    assert.deepEqual(run({ NODE_ENV: image }, {}), []);
  });
});

describe("value: MOLECULE_ENV equal", () => {
  test("different: error showing both (not secret-looking)", () => {
    const fs = run({ MOLECULE_ENV: "production" }, { MOLECULE_ENV: "prod" });
    assert.deepEqual(summary(fs), ["error value MOLECULE_ENV"]);
    assert.match(fs[0].message, /must be equal: production "prod", harness "production"/);
  });
  test("equal: nothing; from a ConfigMap: a note, no error", () => {
    assert.deepEqual(run({ MOLECULE_ENV: "production" }, { MOLECULE_ENV: "production" }), []);
    const r = tenantFindings(
      harnessVars({ MOLECULE_ENV: "production" }),
      prod({ MOLECULE_ENV: { name: "MOLECULE_ENV", source: "configMapKeyRef c/env" } }),
      hosts,
    );
    assert.deepEqual(r.findings, []);
    assert.match(r.notes[0].message, /configMapKeyRef c\/env: not comparable here/);
  });
});

describe("value: URL variables", () => {
  test("harness URL inside the harness, production a URL of the same kind: nothing", () => {
    assert.deepEqual(
      run(
        { CP_UPSTREAM_URL: "http://cp-stub:9090", REDIS_URL: "redis://redis:6379" },
        { CP_UPSTREAM_URL: "https://api.moleculesai.app", REDIS_URL: "rediss://cache.prod:6380" },
      ),
      [],
    );
  });
  test("harness URL pointing outside the harness: error naming scheme://host only", () => {
    const fs = run(
      { MOLECULE_CP_URL: "https://api.moleculesai.app/v1?key=x" },
      { MOLECULE_CP_URL: "https://api.moleculesai.app" },
    );
    assert.deepEqual(summary(fs), ["error value MOLECULE_CP_URL"]);
    assert.match(fs[0].message, /points outside the harness \(https:\/\/api\.moleculesai\.app\)/);
    assert.doesNotMatch(fs[0].message, /key=x/);
  });
  test("a tenantEnv *_URL outside the harness is flagged even when production lacks it", () => {
    const v: EnvVar = {
      name: "WEBHOOK_URL",
      value: "https://hooks.example.com",
      source: "harness:tenantEnv",
      origin: "tenantEnv",
    };
    assert.deepEqual(summary(run({ WEBHOOK_URL: v }, { WEBHOOK_URL: "https://hooks.example.com" })), [
      "error value WEBHOOK_URL",
    ]);
  });
  test("not a URL on either side: error", () => {
    assert.deepEqual(
      summary(run({ CANVAS_PROXY_URL: "localhost:3000" }, { CANVAS_PROXY_URL: "http://localhost:3000" })),
      ["error value CANVAS_PROXY_URL"],
    );
    const fs = run({ CANVAS_PROXY_URL: "http://localhost:3000" }, { CANVAS_PROXY_URL: "canvas" });
    assert.deepEqual(summary(fs), ["error value CANVAS_PROXY_URL"]);
    assert.match(fs[0].message, /production's value "canvas" is not a URL/);
  });
  test("different kinds of URL: error; a secret-looking one says so without its value", () => {
    const fs = run(
      { DATABASE_URL: "postgres://harness:pw-harness@postgres-alpha:5432/molecule" },
      { DATABASE_URL: "mysql://tenant:pw-production@db.prod:3306/molecule" },
    );
    assert.deepEqual(summary(fs), ["error value DATABASE_URL"]);
    assert.match(fs[0].message, /different kinds of URL: production mysql:\/\/, harness postgres:\/\//);
    assert.doesNotMatch(JSON.stringify(fs), /pw-|db\.prod|postgres-alpha/);
  });
});

describe("value: layer switches non-empty", () => {
  test("empty in production: the layer is off there", () => {
    const fs = run({ CP_UPSTREAM_URL: "http://cp-stub:9090" }, { CP_UPSTREAM_URL: "" });
    assert.ok(summary(fs).includes("error value CP_UPSTREAM_URL"));
    assert.ok(fs.some((f) => /empty in production/.test(f.message)));
  });
  test("empty in the harness", () => {
    const fs = run({ MOLECULE_ORG_ID: " " }, { MOLECULE_ORG_ID: "acme" });
    assert.deepEqual(summary(fs), ["error value MOLECULE_ORG_ID"]);
    assert.match(fs[0].message, /empty in the harness/);
  });
  test("a generated secret (set, value unknown) and a secret reference: non-empty, no finding", () => {
    const fs = run(
      {
        ADMIN_TOKEN: {
          name: "ADMIN_TOKEN",
          nonEmpty: true,
          source: "harness",
          origin: "harness",
          secret: true,
        },
      },
      { ADMIN_TOKEN: { name: "ADMIN_TOKEN", source: "secretKeyRef t/admin", secret: true } },
    );
    assert.deepEqual(fs, []);
  });
});

test("coherenceFindings merges the tenants of one finding and sorts by rule, then name", () => {
  const a = harnessVars({ RATE_LIMIT: "1000", EXTRA_A: "1" });
  const b: TenantEnv = { tenant: "beta", env: harnessVars({ RATE_LIMIT: "1000" }).env };
  const { findings } = coherenceFindings([a, b], prod({ ZED: "1", ALPHA: "2" }));
  assert.deepEqual(
    findings.map((f) => `${f.rule} ${f.variable} ${f.tenants.join("+")}`),
    [
      "missing ALPHA alpha+beta",
      "missing ZED alpha+beta",
      "extra EXTRA_A alpha",
      "extra RATE_LIMIT alpha+beta",
    ],
  );
});

test("URL helpers", () => {
  assert.deepEqual(urlParts("HTTP://User:pw@Api.Example.com:8443/x"), {
    scheme: "http",
    host: "api.example.com",
    port: "8443",
  });
  assert.equal(urlParts("cp-stub:9090"), undefined);
  assert.equal(urlParts(""), undefined);
  assert.ok(insideHarness("http://postgres-beta:5432", hosts));
  assert.ok(insideHarness("http://[::1]:3000", hosts));
  assert.ok(!insideHarness("http://postgres-gamma:5432", hosts));
});
