/**
 * The harness's own invariants (tools/config-lint/invariants.ts), the policy pack's checks as functions:
 * each both ways, and all of them over what the real program declares (run under mocks).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CONTAINER, Graph, labelsOf, load } from "../../tests/pulumi/test-support";
import type { RegisteredResource } from "../../tests/pulumi/load-program";
import {
  envsToMap,
  labelProblems,
  portProblems,
  secretEnvProblems,
  secretLeaks,
  secretValuesIn,
  stackOfUrn,
  stringsOf,
  tenantUrlProblems,
  type DeclaredContainer,
} from "./invariants";
import { harnessHosts } from "./rules";

const hosts = harnessHosts(["alpha", "beta"]);
/** A Docker network the program may declare (labelled like a container). */
const NETWORK = "docker:index/network:Network";
const container = (over: Partial<DeclaredContainer>): DeclaredContainer => ({
  urn: "urn:pulumi:ci::harness::docker:index/container:Container::x",
  labels: { "harness.stack": "harness/ci", "harness.role": "redis" },
  ports: [],
  env: {},
  envSecret: false,
  ...over,
});

describe("labels", () => {
  test("labelled for its stack: nothing", () => {
    assert.deepEqual(
      labelProblems({ "harness.stack": "harness/ci", "harness.role": "tenant" }, "harness/ci"),
      [],
    );
  });
  test("unlabelled, another stack's label, no role: each said", () => {
    assert.match(labelProblems({ "harness.role": "tenant" }, "harness/ci")[0], /no harness\.stack label/);
    assert.match(
      labelProblems({ "harness.stack": "harness/other", "harness.role": "x" }, "harness/ci")[0],
      /belongs to harness\/ci/,
    );
    assert.match(labelProblems({ "harness.stack": "harness/ci" }, "harness/ci")[0], /no harness\.role label/);
  });
});

describe("published ports", () => {
  test("loopback: nothing; the edge on its configured bind address: nothing", () => {
    assert.deepEqual(
      portProblems(container({ ports: [{ internal: 5432, external: 50000, ip: "127.0.0.1" }] })),
      [],
    );
    const edge = container({
      labels: { "harness.role": "cf-proxy" },
      ports: [{ internal: 8080, external: 8080, ip: "0.0.0.0" }],
    });
    assert.deepEqual(portProblems(edge, "0.0.0.0"), []);
  });
  test("all interfaces, or no ip at all: a problem", () => {
    assert.match(
      portProblems(container({ ports: [{ internal: 9090, external: 9090, ip: "0.0.0.0" }] }))[0],
      /on 0\.0\.0\.0, not loopback/,
    );
    assert.match(
      portProblems(container({ ports: [{ internal: 9090, external: 9090 }] }))[0],
      /without an ip: Docker binds every interface/,
    );
    const edge = container({
      labels: { "harness.role": "cf-proxy" },
      ports: [{ internal: 8080, external: 8080, ip: "0.0.0.0" }],
    });
    assert.match(portProblems(edge, "127.0.0.1")[0], /edge binds harness:edge\.bindAddress only/);
  });
});

describe("tenant URLs", () => {
  test("inside the harness: nothing; outside: named, a secret-looking one without its value", () => {
    assert.deepEqual(tenantUrlProblems({ CP_UPSTREAM_URL: "http://cp-stub:9090", PORT: "8080" }, hosts), []);
    const problems = tenantUrlProblems(
      {
        MOLECULE_CP_URL: "https://api.moleculesai.app/x?t=1",
        DATABASE_URL: "postgres://u:pw-secret@db.prod:5432/m",
      },
      hosts,
    );
    assert.deepEqual(problems, [
      "DATABASE_URL points outside the harness (value not shown)",
      "MOLECULE_CP_URL points outside the harness (https://api.moleculesai.app): a call would leave it",
    ]);
  });
});

describe("secrets only in secret inputs", () => {
  test("a secret-looking variable in envs that are not secret", () => {
    const env = { ADMIN_TOKEN: "t0ken-value-0123456789", PORT: "8080" };
    assert.match(
      secretEnvProblems(container({ env }))[0],
      /ADMIN_TOKEN is secret-looking but the container's envs are not a secret input/,
    );
    assert.deepEqual(secretEnvProblems(container({ env, envSecret: true })), []);
    assert.deepEqual(secretEnvProblems(container({ env: undefined })), [], "unknown env: nothing to say");
  });
  test("a secret value copied into an input that is not secret; structured secrets are not values", () => {
    const token = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA";
    const a = { urn: "a", strings: stringsOf({ stdout: token }, ["stdout"]) };
    const b = { urn: "b", strings: stringsOf({ command: `curl -H "Authorization: Bearer ${token}"` }, []) };
    assert.deepEqual(secretLeaks([a, b]), [{ urn: "b", path: "command" }]);
    assert.deepEqual(secretLeaks([a]), []);
    assert.deepEqual(
      secretValuesIn(stringsOf({ envs: ["PORT=8080", `ADMIN_TOKEN=${token}`], t: '{"a":1}' }, ["envs", "t"])),
      [token],
    );
  });
});

test("stackOfUrn, envsToMap", () => {
  assert.deepEqual(stackOfUrn("urn:pulumi:ci-1::harness::docker:index/container:Container::x"), {
    stack: "ci-1",
    project: "harness",
  });
  assert.deepEqual(envsToMap(["A=1", "B=x=y", "bad"]), { A: "1", B: "x=y" });
});

describe("what the program declares keeps every invariant", () => {
  for (const bind of ["127.0.0.1", "0.0.0.0"]) {
    test(`edge bound to ${bind}`, async () => {
      const g = new Graph(await load({ "harness:edge": { port: 8080, bindAddress: bind } }, { stack: "ci" }));
      const view = (r: RegisteredResource): DeclaredContainer => ({
        urn: r.urn ?? r.name,
        labels: labelsOf(r),
        ports: (r.inputs.ports ?? []) as DeclaredContainer["ports"],
        env: envsToMap((r.inputs.envs ?? []) as string[]),
        envSecret: r.secretInputs.includes("envs"),
      });
      const containers = g.ofType(CONTAINER);
      assert.equal(containers.length, 8, "2 postgres, 2 tenants, redis, cp-stub, the edge, the sinkhole");
      for (const r of [...containers, ...g.ofType(NETWORK)]) {
        assert.deepEqual(labelProblems(labelsOf(r), "harness/ci"), [], r.name);
      }
      const tenantNames = containers
        .filter((c) => labelsOf(c)["harness.role"] === "tenant")
        .map((c) => labelsOf(c)["harness.tenant"]);
      for (const r of containers) {
        const c = view(r);
        assert.deepEqual(portProblems(c, bind), [], r.name);
        assert.deepEqual(secretEnvProblems(c), [], r.name);
        if (c.labels["harness.role"] === "tenant")
          assert.deepEqual(tenantUrlProblems(c.env!, harnessHosts(tenantNames)), [], r.name);
      }
      // The tenants' and postgres' envs carry secrets, and are secret inputs.
      assert.ok(containers.filter((c) => c.secretInputs.includes("envs")).length >= 4);
      const all = g.result.resources.map((r) => ({
        urn: r.urn ?? r.name,
        strings: stringsOf(r.inputs, r.secretInputs),
      }));
      assert.ok(
        all.flatMap((r) => secretValuesIn(r.strings)).length >= 4,
        "tokens, key and passwords are seen as secrets",
      );
      assert.deepEqual(secretLeaks(all), []);
    });
  }
});
