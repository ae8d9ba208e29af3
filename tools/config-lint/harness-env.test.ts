/**
 * The harness side: each tenant's env for a stack, computed from Pulumi.<stack>.yaml through
 * program/config/parse.ts and program/lib/tenant-env.ts's tenantEnvVars, exactly as the program computes it —
 * checked against the env the program itself declares for each tenant container (run under
 * mocks, tests/pulumi/load-program.ts). And the `harness:production` config key.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { ConfigError } from "../../program/config/errors";
import { parseHarnessConfig } from "../../program/config/parse";
import { CONTAINER, envOf, Graph, labelsOf, load } from "../../tests/pulumi/test-support";
import { BadInput } from "./errors";
import { harnessConfigOf, harnessTenantEnvs, readStackConfig, SECRET_PLACEHOLDER } from "./harness-env";
import { scratchRoot } from "./test-support";

const config = {
  "harness:tenants": [
    { name: "alpha" },
    { name: "beta", orgId: "beta-org", adminToken: "beta-admin-token-0123456789" },
  ],
  "harness:tenantEnv": { LOG_LEVEL: "debug", FEATURE_X: "on" },
  "harness:rateLimit": 2500,
};
const s = scratchRoot(config);
after(() => s.dispose());

test("names, sources and non-secret values equal what the program declares for each tenant container", async () => {
  const cfg = harnessConfigOf(s.root, "harness");
  const { tenants } = harnessTenantEnvs(cfg);
  const g = new Graph(await load(config));
  const program = new Map(
    g
      .ofType(CONTAINER)
      .filter((c) => labelsOf(c)["harness.role"] === "tenant")
      .map((c) => [
        labelsOf(c)["harness.tenant"],
        { env: envOf(c), secret: c.secretInputs.includes("envs") },
      ]),
  );
  assert.deepEqual([...program.keys()].sort(), ["alpha", "beta"]);
  for (const t of tenants) {
    const declared = program.get(t.tenant)!;
    assert.ok(declared.secret, "the program's envs are secret");
    assert.deepEqual([...t.env.keys()].sort(), Object.keys(declared.env).sort(), t.tenant);
    for (const [name, v] of t.env) {
      if (v.value === undefined) {
        // Generated at `up` by the program: only "set, non-empty" here.
        assert.ok(v.nonEmpty && v.secret, name);
        assert.ok(declared.env[name].length > 0, name);
      } else if (name === "DATABASE_URL") {
        // The generated password stood in for; everything else as declared.
        const mask = (u: string) => u.replace(/:[^:@/]+@/, ":<password>@");
        assert.equal(mask(v.value), mask(declared.env[name]));
      } else {
        assert.equal(v.value, declared.env[name], `${t.tenant} ${name}`);
      }
    }
  }
  const beta = tenants.find((t) => t.tenant === "beta")!;
  assert.equal(
    beta.env.get("ADMIN_TOKEN")!.value,
    "beta-admin-token-0123456789",
    "a configured token is the configured value",
  );
  assert.equal(beta.env.get("MOLECULE_ORG_ID")!.value, "beta-org");
  assert.equal(beta.env.get("RATE_LIMIT")!.value, "2500");
  assert.equal(beta.env.get("LOG_LEVEL")!.origin, "tenantEnv");
  assert.equal(beta.env.get("PORT")!.origin, "harness");
});

test("encrypted values (secure:) are never decrypted: validated as a stand-in, known only as set", () => {
  const r = scratchRoot({
    "harness:tenants": [{ name: "alpha", adminToken: { secure: "v1:abc:ciphertext" } }],
    "harness:encryptionKey": { secure: "v1:def:ciphertext" },
  });
  try {
    const sc = readStackConfig(r.root, "harness");
    assert.match(sc.raw.tenants, new RegExp(SECRET_PLACEHOLDER.replace(/[!]/g, "\\$&")));
    assert.doesNotMatch(JSON.stringify(sc.raw), /ciphertext/);
    const { tenants } = harnessTenantEnvs(harnessConfigOf(r.root, "harness"));
    const env = tenants[0].env;
    assert.equal(env.get("ADMIN_TOKEN")!.value, undefined);
    assert.equal(env.get("ADMIN_TOKEN")!.nonEmpty, true);
    assert.equal(env.get("SECRETS_ENCRYPTION_KEY")!.value, undefined);
  } finally {
    r.dispose();
  }
});

test("the image's own ENV where the harness builds it: a user's Dockerfile and target, with its build args", () => {
  const r = scratchRoot({
    "harness:tenantImage": {
      build: {
        context: "src",
        dockerfile: "ops/Dockerfile.tenant",
        args: { CHANNEL: "beta" },
        target: "app",
      },
    },
  });
  try {
    r.write(
      "src/ops/Dockerfile.tenant",
      "FROM node:20 AS app\nARG CHANNEL=stable\nARG GIT_SHA\nENV RELEASE_CHANNEL=$CHANNEL BUILD_SHA=${GIT_SHA}\nFROM app AS debug\nENV DEBUG=1\n",
    );
    const { tenants, image } = harnessTenantEnvs(harnessConfigOf(r.root, "harness"));
    assert.equal(image.dockerfile, "src/ops/Dockerfile.tenant");
    const env = tenants[0].env;
    assert.equal(env.get("RELEASE_CHANNEL")!.value, "beta");
    assert.equal(env.get("BUILD_SHA")!.value, "harness", "GIT_SHA is harness:gitSha");
    assert.equal(env.get("RELEASE_CHANNEL")!.origin, "image");
    assert.equal(env.get("DEBUG"), undefined, "not the target stage");
  } finally {
    r.dispose();
  }
});

test("a prebuilt image: its ENV is not read (said in a note)", () => {
  const r = scratchRoot({ "harness:tenantImage": { image: "registry.example.com/team/tenant:1.2.3" } });
  try {
    const { image } = harnessTenantEnvs(harnessConfigOf(r.root, "harness"));
    assert.equal(image.env.size, 0);
    assert.match(
      image.notes[0].message,
      /prebuilt image registry\.example\.com\/team\/tenant:1\.2\.3: its own ENV is not read here/,
    );
  } finally {
    r.dispose();
  }
});

test("a stack file that is missing, or a config that does not validate: a bad input with the config's message", () => {
  assert.throws(
    () => harnessConfigOf(s.root, "nope"),
    (e: unknown) => e instanceof BadInput && /no Pulumi\.nope\.yaml in .*--stack <name>/.test(e.message),
  );
  const r = scratchRoot({ "harness:tenants": [{ name: "Alpha" }] });
  try {
    assert.throws(
      () => harnessConfigOf(r.root, "harness"),
      (e: unknown) =>
        e instanceof BadInput && /invalid harness configuration.*harness:tenants\[0\]\.name/s.test(e.message),
    );
  } finally {
    r.dispose();
  }
});

describe("config key harness:production", () => {
  const ctx = {
    project: "harness",
    stack: "harness",
    repoRoot: "/repo",
    env: {},
    isDirectory: (p: string) => p === "/repo/replays",
    isFile: (p: string) =>
      ["/repo/deploy/tenant.yaml", "/repo/harness.drift.yaml", "/abs/prod.env"].includes(p),
  };
  const parse = (value: unknown) =>
    parseHarnessConfig({ production: typeof value === "string" ? value : JSON.stringify(value) }, ctx)
      .production;
  const problems = (value: unknown): string => {
    try {
      parse(value);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.message;
    }
    return assert.fail("expected a ConfigError");
  };

  test("absent: undefined; a path: {path}; the full form resolved against the repo root", () => {
    assert.equal(parseHarnessConfig({}, ctx).production, undefined);
    assert.deepEqual(parse("deploy/tenant.yaml"), { path: "/repo/deploy/tenant.yaml" });
    assert.deepEqual(parse({ path: "/abs/prod.env", format: "dotenv" }), {
      path: "/abs/prod.env",
      format: "dotenv",
    });
    assert.deepEqual(
      parse({ path: "deploy/tenant.yaml", format: "k8s", container: "tenant", allow: "harness.drift.yaml" }),
      {
        path: "/repo/deploy/tenant.yaml",
        format: "k8s",
        container: "tenant",
        allow: "/repo/harness.drift.yaml",
      },
    );
  });

  test("every problem at once, each with its fix, in the config's style", () => {
    const message = problems({ format: "helm", container: "", allow: "nope.yaml", extra: 1 });
    assert.match(message, /\(5 problems\)/);
    assert.match(
      message,
      /harness:production\.extra: unknown key\n {4}fix: remove it; known keys: path, format, container, allow/,
    );
    assert.match(
      message,
      /harness:production\.path: is required\n {4}fix: set it to the file with production's tenant environment/,
    );
    assert.match(message, /harness:production\.allow: file \/repo\/nope\.yaml does not exist/);
    assert.match(
      message,
      /harness:production\.format: must be one of dotenv, json, yaml, k8s, ecs, compose, got string "helm"/,
    );
    assert.match(message, /harness:production\.container: must be a container name/);
    assert.match(
      problems("deploy/missing.yaml"),
      /harness:production\.path: file \/repo\/deploy\/missing\.yaml does not exist/,
    );
    assert.match(
      problems(42),
      /harness:production: must be a file path or \{path, format\?, container\?, allow\?\}, got number 42/,
    );
  });
});
