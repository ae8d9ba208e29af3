/**
 * The policy pack's policies as functions (tools/policy/policies.ts), fed properties the way
 * @pulumi/policy hands them over: deserialized by the SDK's own deserializer (secrets unwrapped,
 * their paths recorded by tools/policy/secrets.ts) and behind its unknown-checking proxy. The real
 * engine runs the pack in tools/policy/policy.pulumi.test.ts.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import type {
  PolicyResource,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidation,
  StackValidationPolicy,
} from "@pulumi/policy";
import { scratchRoot } from "../config-lint/test-support";
import { CONTAINER, harnessPolicies, NETWORK, type PackContext } from "./policies";
import { installSecretRecorder, secretPaths, secretPathsOf } from "./secrets";

/* eslint-disable @typescript-eslint/no-require-imports */
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(v: object): { toJavaScript(): unknown } };
};
const deserialize = require("@pulumi/policy/deserialize") as {
  deserializeProperties(s: { toJavaScript(): unknown }, proxy: boolean): Record<string, unknown>;
};
const proxy = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy<T extends object>(v: T): T;
  unknownArrayValue: string;
  unknownStringValue: string;
  unknownNumberValue: string;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const secret = (value: unknown) => ({ ...SIG, value });
const recorded = installSecretRecorder();

/** Properties as a policy receives them: through the SDK's deserializer and proxy. */
function props(raw: object): Record<string, unknown> {
  return proxy.unknownCheckingProxy(deserialize.deserializeProperties(Struct.fromJavaScript(raw), false));
}

const STACK = "harness";
const urn = (type: string, name: string) => `urn:pulumi:${STACK}::harness::${type}::${name}`;
const labels = (role: string, extra: Record<string, string> = {}) =>
  Object.entries({ "harness.stack": `harness/${STACK}`, "harness.role": role, ...extra }).map(
    ([label, value]) => ({
      label,
      value,
    }),
  );

function resource(type: string, name: string, raw: object): PolicyResource {
  return { type, name, urn: urn(type, name), props: props(raw) } as unknown as PolicyResource;
}

const tenantEnv = (tenant: string, over: Record<string, string> = {}) =>
  Object.entries({
    PORT: "8080",
    PLATFORM_URL: `http://tenant-${tenant}:8080`,
    DATABASE_URL: `postgres://harness:db-password-${tenant}-0123@postgres-${tenant}:5432/molecule?sslmode=disable`,
    REDIS_URL: "redis://redis:6379",
    MOLECULE_ENV: "production",
    MOLECULE_ORG_ID: `harness-org-${tenant}`,
    ADMIN_TOKEN: `admin-token-${tenant}-0123456789abcdef`,
    SECRETS_ENCRYPTION_KEY: "encryption-key-0123456789abcdefg",
    CP_UPSTREAM_URL: "http://cp-stub:9090",
    MOLECULE_CP_URL: "http://cp-stub:9090",
    CP_PROVISION_URL: "http://cp-stub:9090",
    CANVAS_PROXY_URL: "http://localhost:3000",
    RATE_LIMIT: "1000",
    MOLECULE_LLM_USAGE_URL: "http://cp-stub:9090/llm/usage",
    MOLECULE_LLM_BASE_URL: "http://cp-stub:9090/llm/openai/v1",
    MOLECULE_LLM_ANTHROPIC_BASE_URL: "http://cp-stub:9090/llm/anthropic/v1",
    MOLECULE_LLM_USAGE_TOKEN: "harness-llm-usage-token",
    MEMORY_PLUGIN_DISABLE: "1",
    ...over,
  }).map(([k, v]) => `${k}=${v}`);

function tenant(name: string, envs: unknown = secret(tenantEnv(name))): PolicyResource {
  return resource(CONTAINER, `tenant-${name}-container`, {
    name: `${STACK}-tenant-${name}`,
    labels: labels("tenant", { "harness.tenant": name }),
    envs,
  });
}

const s = scratchRoot();
after(() => s.dispose());
const ctx = (over: Partial<PackContext> = {}): PackContext => ({
  root: s.root,
  cwd: s.root,
  secretsRecorded: recorded,
  ...over,
});

class NotApplicable extends Error {}

function policy(name: string, c = ctx()) {
  const p = harnessPolicies(c).find((x) => x.name === name);
  assert.ok(p, name);
  return p;
}

/** Runs a resource policy; the violations it reports. */
function onResource(name: string, r: PolicyResource, c = ctx()): string[] {
  const out: string[] = [];
  const validate = (policy(name, c) as ResourceValidationPolicy).validateResource as ResourceValidation;
  void validate(
    { type: r.type, props: r.props, urn: r.urn, name: r.name } as Parameters<ResourceValidation>[0],
    (m) => out.push(m),
  );
  return out;
}

/** Runs a stack policy; the violations (with the urn they name), or "n/a: <reason>". */
function onStack(name: string, resources: PolicyResource[], c = ctx()): string[] {
  const out: string[] = [];
  const validate = (policy(name, c) as StackValidationPolicy).validateStack as StackValidation;
  try {
    void validate(
      {
        resources,
        notApplicable: (reason?: string) => {
          throw new NotApplicable(reason);
        },
      } as Parameters<StackValidation>[0],
      (m, at) => out.push(at ? `${m} @${at.split("::").at(-1)}` : m),
    );
  } catch (error) {
    if (error instanceof NotApplicable) return [`n/a: ${error.message}`];
    throw error;
  }
  return out;
}

test("the secret recorder: the paths the engine marked secret, read back for the deserialized props", () => {
  assert.equal(recorded, true);
  const p = props({ envs: secret(["A=1"]), environment: { HARNESS_TARGET: secret("{}"), PLAIN: "x" } });
  assert.deepEqual(secretPathsOf(p)?.sort(), ["environment.HARNESS_TARGET", "envs"]);
  assert.deepEqual(p.envs, ["A=1"], "the policy still sees plain values");
  assert.deepEqual(secretPaths({ a: [{ b: secret(1) }] }), ["a[0].b"]);
});

describe("harness-stack-labels", () => {
  test("labelled for the stack: nothing; unlabelled or another stack's: a violation", () => {
    assert.deepEqual(onResource("harness-stack-labels", tenant("alpha")), []);
    const bare = resource(CONTAINER, "x", { name: "x" });
    assert.match(onResource("harness-stack-labels", bare)[0], /no harness\.stack label/);
    const foreign = resource(NETWORK, "net", {
      labels: labels("network").map((l) => (l.label === "harness.stack" ? { ...l, value: "harness/ci" } : l)),
    });
    assert.match(
      onResource("harness-stack-labels", foreign)[0],
      /harness\.stack=harness\/ci, but it belongs to harness\/harness/,
    );
  });
});

test("what a first preview does not know (a label value, a host port) leaves the rest checked", () => {
  const partial = resource(CONTAINER, "tenant-alpha-container", {
    labels: [
      ...labels("tenant", { "harness.tenant": "alpha" }),
      { label: "harness.postgres-id", value: proxy.unknownStringValue },
    ],
    ports: [{ internal: 5432, external: proxy.unknownNumberValue, ip: "0.0.0.0" }],
  });
  assert.deepEqual(onResource("harness-stack-labels", partial), []);
  assert.match(onResource("harness-loopback-ports", partial)[0], /port \?→5432 is published on 0\.0\.0\.0/);
  const unlabelled = resource(CONTAINER, "x", {
    labels: [{ label: "harness.postgres-id", value: proxy.unknownStringValue }],
  });
  assert.match(onResource("harness-stack-labels", unlabelled)[0], /no harness\.stack label/);
});

describe("harness-loopback-ports", () => {
  test("loopback: nothing; all interfaces: a violation; the edge on the configured bindAddress: nothing", () => {
    const port = (role: string, ip: string) =>
      resource(CONTAINER, role, { labels: labels(role), ports: [{ internal: 8080, external: 8080, ip }] });
    assert.deepEqual(onResource("harness-loopback-ports", port("postgres", "127.0.0.1")), []);
    assert.match(
      onResource("harness-loopback-ports", port("cp-stub", "0.0.0.0"))[0],
      /on 0\.0\.0\.0, not loopback/,
    );
    assert.match(
      onResource("harness-loopback-ports", port("cf-proxy", "0.0.0.0"))[0],
      /edge binds harness:edge\.bindAddress only/,
    );
    const open = scratchRoot({ "harness:edge": { bindAddress: "0.0.0.0" } });
    try {
      assert.deepEqual(
        onResource("harness-loopback-ports", port("cf-proxy", "0.0.0.0"), ctx({ cwd: open.root })),
        [],
      );
    } finally {
      open.dispose();
    }
  });
});

describe("harness-tenant-urls-inside", () => {
  test("inside: nothing; outside: a violation on that tenant; unknown env: not applicable", () => {
    assert.deepEqual(onStack("harness-tenant-urls-inside", [tenant("alpha"), tenant("beta")]), []);
    const leaky = tenant(
      "beta",
      secret(tenantEnv("beta", { MOLECULE_CP_URL: "https://api.moleculesai.app" })),
    );
    assert.deepEqual(onStack("harness-tenant-urls-inside", [tenant("alpha"), leaky]), [
      "tenant beta: MOLECULE_CP_URL points outside the harness (https://api.moleculesai.app): a call would leave it @tenant-beta-container",
    ]);
    assert.match(
      onStack("harness-tenant-urls-inside", [tenant("alpha", proxy.unknownArrayValue)])[0],
      /^n\/a: the tenants' env is not known/,
    );
  });
});

describe("harness-secrets-in-secret-inputs", () => {
  test("secret envs: nothing; a token in plain envs, and a secret copied into a plain input: violations", () => {
    const command = (create: string) =>
      resource("command:local:Command", "seed-command", {
        create,
        environment: { HARNESS_TARGET: secret('{"t":1}') },
      });
    assert.deepEqual(
      onStack("harness-secrets-in-secret-inputs", [tenant("alpha"), command("node runner/cli.ts seed")]),
      [],
    );
    const plain = tenant("alpha", tenantEnv("alpha"));
    const found = onStack("harness-secrets-in-secret-inputs", [plain]);
    assert.ok(
      found.some((m) =>
        /^ADMIN_TOKEN is secret-looking but the container's envs are not a secret input/.test(m),
      ),
      found.join("\n"),
    );
    assert.ok(found.some((m) => /^SECRETS_ENCRYPTION_KEY is secret-looking/.test(m)));
    const leak = onStack("harness-secrets-in-secret-inputs", [
      tenant("alpha"),
      command("curl -H 'Bearer admin-token-alpha-0123456789abcdef'"),
    ]);
    assert.deepEqual(leak, [
      "a secret value appears in the input create, which is not secret (mark it secret) @seed-command",
    ]);
    assert.ok(!leak.join("").includes("admin-token-alpha"), "the message names the path, not the value");
  });
  test("without the recorder: not applicable (never a guess)", () => {
    assert.match(
      onStack("harness-secrets-in-secret-inputs", [tenant("alpha")], ctx({ secretsRecorded: false }))[0],
      /^n\/a: /,
    );
  });
});

describe("harness-production-coherence", () => {
  const prod = (extra: string) =>
    [
      ...tenantEnv("x")
        .filter((e) => !/^(RATE_LIMIT|MEMORY_PLUGIN_DISABLE)=/.test(e))
        .map((e) =>
          e
            .replace(/http:\/\/(cp-stub:9090|tenant-x:8080|redis:6379)/, "https://prod.example.com")
            .replace("postgres-x", "db.prod"),
        ),
      extra,
    ].join("\n");

  test("harness:production not set: not applicable", () => {
    assert.match(
      onStack("harness-production-coherence", [tenant("alpha"), tenant("beta")])[0],
      /^n\/a: harness:production is not set/,
    );
  });

  test("the lint's rules on the tenants' env as declared: a finding per error, on the tenant; no secret value", () => {
    const r = scratchRoot({ "harness:production": "prod.env" });
    try {
      r.write("prod.env", prod("FEATURE_FLAGS_URL=https://flags.example.com"));
      const out = onStack(
        "harness-production-coherence",
        [tenant("alpha"), tenant("beta")],
        ctx({ cwd: r.root, root: r.root }),
      );
      assert.equal(out.length, 1, out.join("\n"));
      assert.match(
        out[0],
        /^missing FEATURE_FLAGS_URL \(tenants alpha, beta\): production sets it \(dotenv\); the harness does not/,
      );
      // A declared env that drifts on one tenant only: named on that tenant's container.
      const beta = tenant("beta", secret(tenantEnv("beta", { MOLECULE_ENV: "staging" })));
      const one = onStack(
        "harness-production-coherence",
        [tenant("alpha"), beta],
        ctx({ cwd: r.root, root: r.root }),
      );
      assert.ok(
        one.includes(
          'value MOLECULE_ENV (tenants beta): must be equal: production "production", harness "staging"; fix: the harness always runs MOLECULE_ENV=production (program/lib/tenant-env.ts); production must too — strict auth and crypto depend on it @tenant-beta-container',
        ),
        one.join("\n"),
      );
      assert.ok(!one.join("\n").includes("admin-token-"), "no secret value");
      // Unknown envs in the preview: computed from the stack config, the same result.
      const unknown = onStack(
        "harness-production-coherence",
        [tenant("alpha", proxy.unknownArrayValue)],
        ctx({ cwd: r.root, root: r.root }),
      );
      assert.equal(unknown.length, 1);
      assert.match(unknown[0], /^missing FEATURE_FLAGS_URL \(tenants alpha, beta\)/);
      r.write("prod.env", prod(""));
      assert.deepEqual(
        onStack(
          "harness-production-coherence",
          [tenant("alpha"), tenant("beta")],
          ctx({ cwd: r.root, root: r.root }),
        ),
        [],
      );
    } finally {
      r.dispose();
    }
  });

  test("a stack config that cannot be read, a bad production file: violations saying so", () => {
    const r = scratchRoot({ "harness:production": "prod.env" });
    try {
      r.write("prod.env", "no variables here\n");
      assert.match(
        onStack("harness-production-coherence", [tenant("alpha")], ctx({ cwd: r.root, root: r.root }))[0],
        /^bad input: production file prod\.env has no KEY=value line/,
      );
      r.stack({ "harness:production": "missing.env" });
      assert.match(
        onStack("harness-production-coherence", [tenant("alpha")], ctx({ cwd: r.root, root: r.root }))[0],
        /^the stack config cannot be read: invalid harness configuration/,
      );
    } finally {
      r.dispose();
    }
  });
});
