/** Production's tenant env, from every format the lint reads (tools/config-lint/production.ts). */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EnvMap } from "./env";
import { BadInput } from "./errors";
import { parseProduction, readProduction, type ProductionOptions } from "./production";
import { fixture } from "./test-support";

function values(env: EnvMap): Record<string, string | undefined> {
  return Object.fromEntries([...env.values()].map((v) => [v.name, v.value]));
}

function bad(read: () => unknown, expected: RegExp): void {
  assert.throws(read, (error: unknown) => {
    assert.ok(error instanceof BadInput, `a BadInput, got ${String(error)}`);
    assert.match(error.message, expected);
    return true;
  });
}

describe("formats, auto-detected", () => {
  test("dotenv: comments, quotes, export, inline comments", () => {
    const p = readProduction(fixture("dotenv/tenant.env"));
    assert.equal(p.format, "dotenv");
    const v = values(p.env);
    assert.equal(v.MOLECULE_ENV, "production");
    assert.equal(v.MOLECULE_ORG_ID, "5d0c6a52-3a2e-4f44-9d3c-0d1f6b1e7a10");
    assert.equal(v.CP_UPSTREAM_URL, "https://api.moleculesai.app");
    assert.equal(p.env.size, 16);
  });

  test("a JSON map (numbers become strings) and the same map in YAML", () => {
    const json = readProduction(fixture("map/tenant.json"));
    const yaml = readProduction(fixture("map/tenant.yaml"));
    assert.equal(json.format, "json");
    assert.equal(yaml.format, "yaml");
    assert.deepEqual(values(json.env), values(yaml.env));
    assert.equal(values(json.env).PORT, "8080");
  });

  test("a list of names: set, value unknown (NAME=value entries keep theirs)", () => {
    const p = readProduction(fixture("map/names.yaml"));
    assert.deepEqual(values(p.env), {
      MOLECULE_ENV: undefined,
      MOLECULE_ORG_ID: undefined,
      ADMIN_TOKEN: undefined,
      CP_UPSTREAM_URL: "https://api.moleculesai.app",
    });
  });

  test("a Deployment with two containers: the chosen one's env; envFrom named as not resolvable", () => {
    const p = readProduction(fixture("k8s/two-containers.yaml"), { container: "tenant" });
    assert.equal(p.format, "k8s");
    assert.equal(p.container, "Deployment/tenant/tenant");
    assert.deepEqual([...p.env.keys()].sort(), [
      "ADMIN_TOKEN",
      "CANVAS_PROXY_URL",
      "CP_UPSTREAM_URL",
      "MOLECULE_ENV",
      "MOLECULE_ORG_ID",
      "POD_NAME",
    ]);
    const admin = p.env.get("ADMIN_TOKEN")!;
    assert.equal(admin.value, undefined);
    assert.equal(admin.secret, true);
    assert.equal(admin.source, "secretKeyRef tenant-secrets/admin-token");
    assert.equal(p.env.get("MOLECULE_ORG_ID")!.source, "configMapKeyRef tenant-config/org-id");
    assert.equal(p.env.get("POD_NAME")!.source, "fieldRef metadata.name");
    assert.deepEqual(
      p.unresolved.map((n) => n.message),
      [
        "envFrom configMapRef tenant-config: not resolvable here; the variables it adds are not compared",
        "envFrom secretRef tenant-secrets (prefix VAULT_): not resolvable here; the variables it adds are not compared",
      ],
    );
    // The sidecar, by its name, by workload/name and by the full id.
    for (const container of ["log-shipper", "tenant/log-shipper", "Deployment/tenant/log-shipper"]) {
      const side = readProduction(fixture("k8s/two-containers.yaml"), { container });
      assert.deepEqual([...side.env.keys()], ["FLUENT_ELASTICSEARCH_HOST"]);
    }
  });

  test("every workload kind: StatefulSet, Pod, Job, CronJob (a Service is skipped)", () => {
    const kinds = { sts: "FROM_STATEFULSET", pod: "FROM_POD", job: "FROM_JOB", cron: "FROM_CRONJOB" };
    for (const [container, name] of Object.entries(kinds)) {
      const p = readProduction(fixture("k8s/workloads.yaml"), { container });
      assert.deepEqual(values(p.env), { [name]: "1" }, container);
    }
  });

  test("a single-container manifest needs no --container; a List of items is read too", () => {
    assert.equal(readProduction(fixture("k8s/tenant.yaml")).container, "Deployment/tenant-acme/tenant");
    const list = JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: [
        {
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name: "p" },
          spec: { containers: [{ name: "c", env: [{ name: "A", value: "1" }] }] },
        },
      ],
    });
    assert.deepEqual(values(parseProduction(list, "list.json").env), { A: "1" });
  });

  test("an ECS task definition: environment and secrets; environmentFiles named as not resolvable", () => {
    const p = readProduction(fixture("ecs/task-definition.json"), { container: "tenant" });
    assert.equal(p.format, "ecs");
    assert.equal(p.env.get("MOLECULE_ENV")!.value, "production");
    const db = p.env.get("DATABASE_URL")!;
    assert.equal(db.value, undefined);
    assert.equal(db.secret, true);
    assert.equal(p.env.get("ADMIN_TOKEN")!.source, "ECS secrets (valueFrom)");
    assert.match(
      p.unresolved[0].message,
      /^environmentFiles arn:aws:s3:::acme-config\/tenant\.env: not resolvable here/,
    );
  });

  test("`aws ecs describe-task-definition` output (wrapped in taskDefinition), one container", () => {
    const p = readProduction(fixture("ecs/describe-task-definition.json"));
    assert.equal(p.container, "tenant");
    assert.deepEqual(values(p.env), { MOLECULE_ENV: "production", ADMIN_TOKEN: undefined });
  });

  test("a compose service: list and map forms, interpolation and pass-through as unknown, env_file named", () => {
    const p = readProduction(fixture("compose/compose.yaml"), { container: "tenant" });
    assert.equal(p.format, "compose");
    assert.deepEqual(values(p.env), {
      MOLECULE_ENV: "production",
      MOLECULE_ORG_ID: "acme",
      ADMIN_TOKEN: undefined,
      CP_UPSTREAM_URL: undefined,
      CANVAS_PROXY_URL: "http://localhost:3000",
    });
    assert.equal(p.env.get("ADMIN_TOKEN")!.source, "environment (interpolated)");
    assert.equal(p.env.get("CP_UPSTREAM_URL")!.source, "environment (from the shell)");
    assert.deepEqual(
      p.unresolved.map((n) => n.message),
      ["env_file tenant.env: not resolvable here; its variables are not compared"],
    );
    const db = readProduction(fixture("compose/compose.yaml"), { container: "postgres" });
    assert.deepEqual(values(db.env), { POSTGRES_USER: "tenant", POSTGRES_DB: "molecule" });
  });

  test("no telling extension: JSON, then YAML, then dotenv", () => {
    assert.equal(parseProduction('{"A": "1"}', "prod-env").format, "json");
    assert.equal(parseProduction("A: '1'\nB: two\n", "prod-env").format, "yaml");
    assert.equal(parseProduction("A=1\nB=two\n", "prod-env").format, "dotenv");
  });
});

describe("--format overrides detection", () => {
  test("a .txt dotenv, a .conf YAML manifest", () => {
    assert.equal(parseProduction("A=1", "env.txt", { format: "dotenv" }).format, "dotenv");
    const manifest =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, env: [{name: A, value: "1"}]}]}\n';
    assert.equal(parseProduction(manifest, "tenant.conf", { format: "k8s" }).format, "k8s");
  });
});

describe("bad inputs: each its own message", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["missing file", () => readProduction("/no/such/tenant.yaml"), /tenant\.yaml does not exist/],
    ["a directory", () => readProduction(fixture("k8s")), /is a directory, not a file/],
    ["empty file", () => parseProduction("  \n", "empty.env"), /is empty: it names no variable/],
    [
      "dotenv without a variable",
      () => parseProduction("just some words\n", "prod.env"),
      /has no KEY=value line/,
    ],
    [
      "bad JSON",
      () => parseProduction('{"A": 1,,}', "prod.json"),
      /is not valid JSON: .*\(line 1, column \d+\)/,
    ],
    ["bad YAML", () => parseProduction("A: [1, 2\nB: x: y\n", "prod.yaml"), /is not valid YAML \(line \d+\)/],
    [
      "wrong format",
      () => parseProduction("A=1\n", "prod.env.txt", { format: "k8s" }),
      /is not a Kubernetes manifest .* as --format k8s says/,
    ],
    [
      "format mismatch on a structured file",
      () => readProduction(fixture("ecs/task-definition.json"), { format: "compose" }),
      /is not a compose file .*it looks like an ECS task definition/,
    ],
    [
      "ambiguous container",
      () => readProduction(fixture("k8s/two-containers.yaml")),
      /has 2 containers and no --container says which is the tenant: Deployment\/tenant\/tenant, Deployment\/tenant\/log-shipper/,
    ],
    [
      "unknown container",
      () => readProduction(fixture("ecs/task-definition.json"), { container: "web" }),
      /has no container definition "web"; its container definitions: tenant, log-router/,
    ],
    [
      "a map where a list was needed (k8s env)",
      () =>
        parseProduction(
          "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      env: {A: '1'}\n",
          "pod.yaml",
        ),
      /Pod\/p\/c `env` must be a list of \{name, value \| valueFrom\}, got a map/,
    ],
    [
      "a map where a list was needed (ECS environment)",
      () =>
        parseProduction(
          JSON.stringify({ containerDefinitions: [{ name: "t", environment: { A: "1" } }] }),
          "task.json",
        ),
      /container t `environment` must be a list of \{name, value\}, got a map/,
    ],
    [
      "a structure where a value was needed",
      () => parseProduction("A:\n  nested: 1\nB: x\n", "prod.yaml", { format: "yaml" }),
      /the value of A must be a string, number or boolean, got a map/,
    ],
    [
      "a Kubernetes manifest without a workload",
      () =>
        parseProduction("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {A: '1'}\n", "cm.yaml"),
      /has no Deployment, .*CronJob \(found: ConfigMap\)/,
    ],
    [
      "not a format the lint reads",
      () => parseProduction("- 1\n- 2\n", "x.yaml"),
      /is not a format the lint reads/,
    ],
    [
      "an invalid variable name",
      () => parseProduction('{"1BAD": "x"}', "x.json"),
      /key "1BAD" is not an environment variable name/,
    ],
    [
      "--container on a plain map",
      () => readProduction(fixture("map/tenant.yaml"), { container: "tenant" }),
      /--container tenant applies to k8s, ecs and compose files/,
    ],
  ];
  for (const [what, read, expected] of cases) test(what, () => bad(read, expected));

  test("the messages are all different", () => {
    const messages = cases.map(([, read]) => {
      try {
        read();
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    });
    assert.equal(new Set(messages).size, cases.length);
  });
});

test("a JSON error never quotes the file (it may hold a secret)", () => {
  const secret = "s3cr3t-admin-token-value";
  const opts: ProductionOptions = {};
  assert.throws(
    () => parseProduction(`{"ADMIN_TOKEN": ${secret}}`, "prod.json", opts),
    (error: Error) => !error.message.includes(secret) && /not valid JSON/.test(error.message),
  );
});
