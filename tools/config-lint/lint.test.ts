/**
 * `npm run lint:config` end to end (scripts/lint-config.ts → tools/config-lint/lint.ts): the L4-style
 * proof, the output formats, every bad input with its own message and exit 2, and that no secret
 * value appears anywhere in the output.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { lintConfigCli } from "../../scripts/lint-config";
import { COHERENT_DOTENV, fixture, REPO_ROOT, scratchRoot } from "./test-support";

const s = scratchRoot();
after(() => s.dispose());
const k8s = readFileSync(fixture("k8s/tenant.yaml"), "utf8");
/** Adds an env entry to the tenant container of the k8s fixture. */
const withVar = (text: string, name: string, value: string) =>
  text.replace(
    "          env:\n",
    `          env:\n            - name: ${name}\n              value: ${value}\n`,
  );

function lint(args: string[], root = s.root) {
  const out = lintConfigCli(args, root, {});
  return { ...out, all: out.stdout + out.stderr };
}

test("L4-style proof: one production variable fails naming it; a reasoned allow passes; removing the variable makes the entry stale", () => {
  const manifest = s.write("deploy/tenant.yaml", k8s);
  assert.equal(lint(["--production", manifest]).code, 0, "the fixture is coherent with the default stack");

  s.write("deploy/tenant.yaml", withVar(k8s, "FEATURE_FLAGS_URL", "https://flags.moleculesai.app"));
  const drift = lint(["--production", "deploy/tenant.yaml"]);
  assert.equal(drift.code, 1, drift.all);
  assert.match(drift.stdout, /^missing — production sets it, the harness does not \(1 error\)$/m);
  assert.match(drift.stdout, /^ {2}FEATURE_FLAGS_URL +all +production sets it \(env\)/m);
  assert.match(drift.stdout, /^drift: 1 error, 0 allowed, 2 documented \(exit 1\)$/m);

  s.write(
    "harness.drift.yaml",
    "allow:\n  - name: FEATURE_FLAGS_URL\n    rule: missing\n    reason: the flag service is a SaaS the harness must not call\n",
  );
  const allowed = lint(["--production", "deploy/tenant.yaml"]);
  assert.equal(allowed.code, 0, allowed.all);
  assert.match(allowed.stdout, /allow file: harness\.drift\.yaml/);
  assert.match(allowed.stdout, /^ {2}FEATURE_FLAGS_URL +missing +the flag service is a SaaS/m);

  s.write("deploy/tenant.yaml", k8s);
  const stale = lint(["--production", "deploy/tenant.yaml"]);
  assert.equal(stale.code, 1, stale.all);
  assert.match(stale.stdout, /^stale-allow — an allow entry that matches nothing \(1 error\)$/m);
  assert.match(
    stale.stdout,
    /FEATURE_FLAGS_URL +- +entry 1 of harness\.drift\.yaml allows a `missing` difference/,
  );
  s.write("harness.drift.yaml", "allow: []\n");
});

test("--json: the stable machine format", () => {
  s.write("deploy/extra.yaml", withVar(k8s, "FEATURE_FLAGS_URL", "https://flags.moleculesai.app"));
  const out = lint(["--production", "deploy/extra.yaml", "--json"]);
  assert.equal(out.code, 1);
  const json = JSON.parse(out.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), [
    "version",
    "result",
    "exitCode",
    "stack",
    "tenants",
    "production",
    "image",
    "allowFile",
    "counts",
    "findings",
    "notes",
  ]);
  assert.equal(json.version, 1);
  assert.equal(json.result, "drift");
  assert.deepEqual(json.production, {
    file: "deploy/extra.yaml",
    format: "k8s",
    container: "Deployment/tenant-acme/tenant",
  });
  assert.deepEqual(json.counts, { error: 1, allowed: 0, documented: 2 });
  const findings = json.findings as Record<string, unknown>[];
  assert.deepEqual(Object.keys(findings[0]), ["rule", "variable", "tenants", "severity", "message", "fix"]);
  assert.deepEqual(
    findings.map((f) => `${f.severity} ${f.rule} ${f.variable}`),
    [
      "error missing FEATURE_FLAGS_URL",
      "documented extra MEMORY_PLUGIN_DISABLE",
      "documented extra RATE_LIMIT",
    ],
  );
  const bad = lint(["--production", "deploy/none.yaml", "--json"]);
  assert.equal(bad.code, 2);
  assert.deepEqual(Object.keys(JSON.parse(bad.stdout) as object), ["version", "result", "exitCode", "error"]);
});

test("harness:production in the stack config: no flags needed; flags override it", () => {
  const r = scratchRoot({ "harness:production": { path: "prod/compose.yaml", container: "tenant" } });
  try {
    r.write("prod/compose.yaml", readFileSync(fixture("compose/compose.yaml"), "utf8"));
    const out = lint([], r.root);
    assert.equal(out.code, 1, out.all);
    assert.match(out.stdout, /vs production prod\/compose\.yaml \(compose, container tenant\)/);
    assert.match(out.stdout, /env_file tenant\.env: not resolvable here/);
    const flag = lint(["--production", fixture("dotenv/tenant.env")], r.root);
    assert.match(flag.stdout, /\(dotenv\)/);
  } finally {
    r.dispose();
  }
});

describe("bad inputs: exit 2, each with its own message", () => {
  const r = scratchRoot();
  after(() => r.dispose());
  r.write("deploy/tenant.yaml", k8s);
  r.write("bad.yaml", "a: [1, 2\nb: c: d\n");
  r.write("bad.json", '{"A": 1,,}');
  r.write("noreason.yaml", readFileSync(fixture("allow/no-reason.yaml"), "utf8"));
  r.write("badallow.yaml", "allow:\n  - name: A\n   rule: x\n");
  r.write("listenv.json", JSON.stringify({ containerDefinitions: [{ name: "t", environment: { A: "1" } }] }));
  r.write("Pulumi.broken.yaml", "config:\n  harness:tenants:\n    - name: Alpha\n");
  r.write("Pulumi.typo.yaml", "config:\n  harness:tennants: []\n");
  const two = fixture("k8s/two-containers.yaml");
  const cases: [string, string[], RegExp][] = [
    ["an unknown argument", ["--prod", "x"], /unknown argument "--prod"/],
    ["a flag without its value", ["--production"], /--production needs a value/],
    [
      "an unknown --format",
      ["--production", "deploy/tenant.yaml", "--format", "helm"],
      /--format must be one of dotenv, json/,
    ],
    [
      "no production file at all",
      [],
      /no production file: pass --production <file>, or set harness:production/,
    ],
    ["a missing file", ["--production", "deploy/none.yaml"], /deploy\/none\.yaml does not exist/],
    ["an unreadable file (a directory)", ["--production", "deploy"], /deploy is a directory, not a file/],
    ["bad YAML", ["--production", "bad.yaml"], /bad\.yaml is not valid YAML \(line \d+\)/],
    ["bad JSON", ["--production", "bad.json"], /bad\.json is not valid JSON/],
    [
      "the wrong format",
      ["--production", "deploy/tenant.yaml", "--format", "ecs"],
      /is not an ECS task definition .* as --format ecs says/,
    ],
    [
      "an ambiguous container",
      ["--production", two],
      /has 2 containers and no --container says which is the tenant: /,
    ],
    [
      "an unknown container",
      ["--production", two, "--container", "web"],
      /has no container "web"; its containers: /,
    ],
    [
      "a map where a list was needed",
      ["--production", "listenv.json"],
      /`environment` must be a list of \{name, value\}, got a map/,
    ],
    [
      "an allow entry without a reason",
      ["--production", "deploy/tenant.yaml", "--allow", "noreason.yaml"],
      /has no reason/,
    ],
    [
      "an allow file that is not YAML",
      ["--production", "deploy/tenant.yaml", "--allow", "badallow.yaml"],
      /allow file .* is not valid YAML/,
    ],
    [
      "an allow file that does not exist",
      ["--production", "deploy/tenant.yaml", "--allow", "nope.yaml"],
      /allow file .*nope\.yaml does not exist/,
    ],
    [
      "a stack without a stack file",
      ["--production", "deploy/tenant.yaml", "--stack", "prod"],
      /no Pulumi\.prod\.yaml in /,
    ],
    [
      "a stack config that does not validate",
      ["--production", "deploy/tenant.yaml", "--stack", "broken"],
      /harness:tenants\[0\]\.name: string "Alpha" is not a valid tenant name/,
    ],
    [
      "an unknown config key",
      ["--production", "deploy/tenant.yaml", "--stack", "typo"],
      /harness:tennants: unknown key/,
    ],
  ];
  const messages: string[] = [];
  for (const [what, args, expected] of cases) {
    test(what, () => {
      const out = lint(args, r.root);
      assert.equal(out.code, 2, out.all);
      assert.equal(out.stdout, "", "nothing on stdout");
      assert.match(out.stderr, expected);
      messages.push(out.stderr.split("\n").slice(0, 2).join("\n"));
    });
  }
  test("at least 10, all different", () => {
    assert.ok(messages.length >= 10);
    assert.equal(new Set(messages).size, messages.length);
  });
});

test("secret masking: no value of a secret-looking variable appears anywhere in the output", () => {
  const secrets = {
    harnessToken: "harness-admin-token-alpha-0123456789",
    harnessKey: "harness-encryption-key-32-bytes!",
    prodToken: "prod-admin-token-9f8e7d6c5b4a",
    prodKey: "prod-encryption-key-0123456789ab",
    prodDbPassword: "Pr0dDbPassw0rd",
    prodLlmToken: "prod-llm-usage-token-abcdef",
    apiKey: "sk-live-51H8abcdefghijklmnop",
    cpPassword: "CpBasicAuthPassw0rd",
  };
  const r = scratchRoot({
    "harness:tenants": [{ name: "alpha", adminToken: secrets.harnessToken }, { name: "beta" }],
    "harness:encryptionKey": secrets.harnessKey,
  });
  try {
    const prod = COHERENT_DOTENV.replace(/^ADMIN_TOKEN=.*$/m, `ADMIN_TOKEN=${secrets.prodToken}`)
      .replace(/^SECRETS_ENCRYPTION_KEY=.*$/m, `SECRETS_ENCRYPTION_KEY=${secrets.prodKey}`)
      // A different kind of database (a value finding on a secret-looking variable).
      .replace(
        /^DATABASE_URL=.*$/m,
        `DATABASE_URL=mysql://tenant:${secrets.prodDbPassword}@db.prod:3306/molecule`,
      )
      .replace(/^MOLECULE_LLM_USAGE_TOKEN=.*$/m, `MOLECULE_LLM_USAGE_TOKEN=${secrets.prodLlmToken}`)
      // A URL with credentials under a name that does not look secret.
      .replace(
        /^CP_UPSTREAM_URL=.*$/m,
        `CP_UPSTREAM_URL=https://svc:${secrets.cpPassword}@api.moleculesai.app`,
      )
      .concat(`\nSTRIPE_API_KEY=${secrets.apiKey}\n`);
    r.write("prod.env", prod);
    // The same with an empty token (a layer switched off) and a mismatching MOLECULE_ENV.
    r.write(
      "prod-empty.env",
      prod
        .replace(/^ADMIN_TOKEN=.*$/m, "ADMIN_TOKEN=")
        .replace("MOLECULE_ENV=production", "MOLECULE_ENV=prod"),
    );
    const outputs = [
      lint(["--production", "prod.env"], r.root),
      lint(["--production", "prod.env", "--json"], r.root),
      lint(["--production", "prod-empty.env"], r.root),
      lint(["--production", "prod-empty.env", "--json"], r.root),
    ];
    for (const out of outputs) {
      assert.equal(out.code, 1, out.all);
      for (const [what, value] of Object.entries(secrets)) {
        assert.ok(!out.all.includes(value), `${what} must not appear:\n${out.all}`);
      }
    }
    // What explains the findings is there, by name and kind.
    assert.match(outputs[0].stdout, /STRIPE_API_KEY +all +production sets it/);
    assert.match(
      outputs[0].stdout,
      /DATABASE_URL +all +different kinds of URL: production mysql:\/\/, harness postgres:\/\//,
    );
    assert.match(outputs[2].stdout, /ADMIN_TOKEN +all +empty in production/);
  } finally {
    r.dispose();
  }
});

test("done-when: on this checkout, `npm run lint:config -- --production <k8s.yaml>` with one extra production variable exits 1 naming it; allowed with a reason it exits 0", () => {
  const manifest = join(tmpdir(), `lint-config-${process.pid}.yaml`);
  const allow = join(tmpdir(), `lint-config-${process.pid}.drift.yaml`);
  writeFileSync(
    manifest,
    withVar(k8s, "OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector.observability:4317"),
  );
  writeFileSync(
    allow,
    "allow:\n  - name: OTEL_EXPORTER_OTLP_ENDPOINT\n    rule: missing\n    reason: the harness runs no trace collector; the tenant exports nothing without one\n",
  );
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/lint-config.ts", "--production", manifest, ...args],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { ...process.env, HARNESS_STACK: "" },
      },
    );
  const drift = run();
  assert.equal(drift.status, 1, drift.stdout + drift.stderr);
  assert.match(drift.stdout, /OTEL_EXPORTER_OTLP_ENDPOINT +all +production sets it/);
  const allowed = run("--allow", allow);
  assert.equal(allowed.status, 0, allowed.stdout + allowed.stderr);
  assert.match(allowed.stdout, /^coherent: 0 errors, 1 allowed/m);
});

test("envFrom production cannot resolve: named under not checked, and in every extra finding it might explain", () => {
  const out = lint(["--production", fixture("k8s/two-containers.yaml"), "--container", "tenant", "--json"]);
  assert.equal(out.code, 1);
  const json = JSON.parse(out.stdout) as {
    findings: { rule: string; message: string }[];
    notes: { message: string }[];
  };
  assert.ok(
    json.notes.some((n) => n.message.startsWith("envFrom configMapRef tenant-config: not resolvable here")),
  );
  const extra = json.findings.filter((f) => f.rule === "extra" && !/own variables/.test(f.message));
  assert.ok(extra.length > 0);
  for (const f of extra) {
    assert.match(
      f.message,
      /\(unless envFrom configMapRef tenant-config or envFrom secretRef tenant-secrets \(prefix VAULT_\), not resolvable here, sets it\)$/,
    );
  }
});
