/** L2: the tenant source variants and the config knobs that change the graph. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { REPO_ROOT } from "./load-program";
import { freePortCommand } from "../../program/lib/docker";
import {
  buildOf,
  builtImages,
  COMMAND,
  CONTAINER,
  envOf,
  expectedInventory,
  Graph,
  healthGates,
  load,
  pickedPort,
  REMOTE_IMAGE,
} from "./test-support";

let monorepo: string;
before(() => {
  monorepo = mkdtempSync(join(tmpdir(), "harness-monorepo-"));
  mkdirSync(join(monorepo, "workspace-server"));
  writeFileSync(join(monorepo, "workspace-server", "Dockerfile.tenant"), "FROM scratch\n");
});
after(() => rmSync(monorepo, { recursive: true, force: true }));

describe("tenant from a user's build context", () => {
  let g: Graph;
  before(async () => {
    g = new Graph(
      await load({
        "harness:tenantImage": {
          build: {
            context: monorepo,
            dockerfile: "workspace-server/Dockerfile.tenant",
            args: { NEXT_PUBLIC_WS_URL: "" },
            target: "runtime",
          },
        },
        "harness:gitSha": "0123456789abcdef0123456789abcdef01234567",
      }),
    );
  });

  test("the image is built from that context and Dockerfile with GIT_SHA and the user's args", () => {
    const image = g.get("tenant-image-image").inputs;
    assert.match(String(image.name), /^harness-harness\/tenant:[0-9a-f]{12}$/);
    assert.equal(image.keepLocally, false);
    assert.deepEqual(buildOf(g.get("tenant-image-image")), {
      context: monorepo,
      // Inside the context: relative, as the docker CLI sends it.
      dockerfile: "workspace-server/Dockerfile.tenant",
      target: "runtime",
      buildArgs: {
        NEXT_PUBLIC_WS_URL: "",
        GIT_SHA: "0123456789abcdef0123456789abcdef01234567",
      },
      labels: { "harness.stack": "harness/harness", "harness.role": "tenant" },
      useLegacyBuilder: false,
    });
    assert.deepEqual(
      g.dependencies("tenant-image-image"),
      [],
      "no harness base image (the user's Dockerfile picks its own)",
    );
  });

  test("tenants run it by image id with the anchor's healthcheck; only the cp-stub and the sinkhole are bundled", () => {
    const imageId = g.get("tenant-image-image").state?.imageId;
    assert.match(String(imageId), /^sha256:[0-9a-f]{64}$/);
    for (const t of ["alpha", "beta"]) {
      const c = g.get(`tenant-${t}-container`).inputs;
      assert.equal(c.image, imageId);
      assert.deepEqual((c.healthcheck as { tests: string[] }).tests, [
        "CMD-SHELL",
        "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1",
      ]);
    }
    assert.deepEqual(
      g.result.log.filter((l) => l.startsWith("bundle")),
      ["bundle cp-stub", "bundle sinkhole"],
    );
    const target = JSON.parse(
      (g.get("seed-command").inputs.environment as Record<string, string>).HARNESS_TARGET,
    );
    assert.equal(target.expectedGitSha, "0123456789abcdef0123456789abcdef01234567");
  });
});

describe("tenant from a prebuilt image", () => {
  let g: Graph;
  before(async () => {
    g = new Graph(
      await load({
        "harness:tenantImage": { image: "registry.example.com/team/tenant:1.2.3", healthcheck: "image" },
      }),
    );
  });

  test("the image is pulled (or found locally) and kept; no tenant build", () => {
    assert.equal(g.get("tenant-image-pulled").type, REMOTE_IMAGE);
    assert.deepEqual(g.get("tenant-image-pulled").inputs, {
      name: "registry.example.com/team/tenant:1.2.3",
      keepLocally: true,
    });
    assert.ok(!g.byName.has("tenant-image-image"));
    assert.deepEqual(
      builtImages(g)
        .map((i) => i.name)
        .sort(),
      ["cf-proxy-image", "cp-stub-image", "postgres-image-image", "sinkhole-image"],
    );
  });

  test("tenants run it by image id, with the image's own HEALTHCHECK, still waiting for health", () => {
    const imageId = g.get("tenant-image-pulled").state?.imageId;
    const c = g.get("tenant-alpha-container").inputs;
    assert.equal(c.image, imageId);
    assert.equal(c.healthcheck, undefined);
    assert.ok(!("wait" in c));
    assert.equal(healthGates(g.result)["harness-tenant-alpha"], 120, "the health gate still waits for it");
    assert.ok(g.dependencies("seed-command").includes("tenant-alpha-container"), "the seed waits for it");
    const target = JSON.parse(
      (g.get("seed-command").inputs.environment as Record<string, string>).HARNESS_TARGET,
    );
    assert.equal(
      target.expectedGitSha,
      undefined,
      "nothing to expect from /buildinfo without harness:gitSha",
    );
    assert.ok((g.get("replays-command").inputs.triggers as string[]).includes(`image:tenant=${imageId}`));
  });
});

test("configured admin token and encryption key: no generator Commands, still secret", async () => {
  const key = Buffer.alloc(32, 1).toString("base64");
  const g = new Graph(
    await load(
      {
        "harness:tenants": [{ name: "alpha", adminToken: "configured-admin-token-0001" }, { name: "beta" }],
        "harness:encryptionKey": key,
      },
      { secretKeys: ["harness:tenants", "harness:encryptionKey"] },
    ),
  );
  assert.ok(!g.byName.has("tenant-alpha-admin-token-random"));
  assert.ok(g.byName.has("tenant-beta-admin-token-random"), "only the unconfigured tenant generates one");
  assert.ok(!g.byName.has("encryption-key-random"));
  const env = envOf(g.get("tenant-alpha-container"));
  assert.equal(env.ADMIN_TOKEN, "configured-admin-token-0001");
  assert.equal(env.SECRETS_ENCRYPTION_KEY, key);
  assert.ok(g.result.secretOutputs.includes("adminTokens"));
  assert.equal((g.result.outputs.adminTokens as Record<string, string>).alpha, "configured-admin-token-0001");
});

test("edge on a random port bound to all interfaces; cp-stub not published", async () => {
  const g = new Graph(
    await load({ "harness:edge": { port: 0, bindAddress: "0.0.0.0" }, "harness:cpStub": { publish: false } }),
  );
  const pick = g.get("cf-proxy-port-pick");
  assert.equal(pick.inputs.create, freePortCommand("0.0.0.0"), "free on the address Docker binds");
  assert.deepEqual(pick.options.ignoreChanges, ["create"]);
  const published = pickedPort(g, "cf-proxy-port");
  assert.deepEqual(g.get("cf-proxy-container").inputs.ports, [
    { internal: 8080, external: published, ip: "0.0.0.0", protocol: "tcp" },
  ]);
  assert.deepEqual(g.get("cp-stub-container").inputs.ports, []);
  assert.ok(!g.byName.has("cp-stub-port") && !g.byName.has("cp-stub-port-pick"), "nothing to pick");
  assert.equal(
    g.result.outputs.edgeUrl,
    `http://127.0.0.1:${published}`,
    "the picked port, reached on loopback",
  );
  assert.equal(g.result.outputs.cpStubUrl, "");
  const target = JSON.parse(
    (g.get("seed-command").inputs.environment as Record<string, string>).HARNESS_TARGET,
  );
  assert.equal(target.edgeUrl, `http://127.0.0.1:${published}`, "the seed is told the picked port");
  for (const c of g.ofType(CONTAINER)) {
    for (const p of (c.inputs.ports ?? []) as { ip: string }[]) {
      if (c.name !== "cf-proxy-container") assert.equal(p.ip, "127.0.0.1", `${c.name} stays on loopback`);
    }
  }
  const inventory = expectedInventory(["alpha", "beta"], "harness-harness", { edgePick: true }).filter(
    (r) => !r.endsWith(" cp-stub-port") && !r.endsWith(" cp-stub-port-pick"),
  );
  assert.deepEqual(g.inventory(), inventory);
});

test("rebuild nonce: a build arg that forces every local image to rebuild (config or HARNESS_REBUILD_NONCE)", async () => {
  const fromConfig = new Graph(await load({ "harness:rebuildNonce": "n1" }));
  const fromEnv = new Graph(
    await load({ "harness:rebuildNonce": "n1" }, { env: { HARNESS_REBUILD_NONCE: "1700000000" } }),
  );
  const plain = new Graph(await load({}));
  for (const image of ["cp-stub-image", "tenant-image-image", "cf-proxy-image"]) {
    assert.equal(buildOf(fromConfig.get(image)).buildArgs.HARNESS_REBUILD, "n1");
    assert.equal(buildOf(fromEnv.get(image)).buildArgs.HARNESS_REBUILD, "1700000000");
    assert.ok(!("HARNESS_REBUILD" in buildOf(plain.get(image)).buildArgs), "no forced rebuild by default");
    const names = [plain, fromConfig, fromEnv].map((g) => g.get(image).inputs.name);
    assert.equal(new Set(names).size, 3, `${image}: a new nonce is a new tag`);
    assert.notEqual(
      fromConfig.get(image).state?.imageId,
      fromEnv.get(image).state?.imageId,
      "new build → new image id",
    );
  }
  assert.notEqual(
    fromConfig.get("tenant-alpha-container").inputs.image,
    fromEnv.get("tenant-alpha-container").inputs.image,
  );
});

test("keepImages: built images kept on destroy; imageBuilder and base images are passed through", async () => {
  const g = new Graph(
    await load({
      "harness:keepImages": true,
      "harness:imageBuilder": "BuilderV1",
      "harness:baseImages": {
        node: "harness-local/node:20",
        nginx: "harness-local/nginx:1.22",
        postgres: "harness-local/postgres:15",
        redis: "harness-local/redis:7",
      },
    }),
  );
  const built = builtImages(g);
  assert.equal(built.length, 5);
  for (const image of built) {
    assert.equal(image.inputs.keepLocally, true, `${image.name} is kept`);
    assert.equal(buildOf(image).useLegacyBuilder, true, `${image.name}: BuilderV1 is the legacy builder`);
  }
  assert.deepEqual(
    g
      .ofType(REMOTE_IMAGE)
      .filter((r) => r.inputs.build === undefined)
      .map((r) => r.inputs.name)
      .sort(),
    [
      "harness-local/nginx:1.22",
      "harness-local/node:20",
      "harness-local/postgres:15",
      "harness-local/redis:7",
    ],
  );
  assert.equal(buildOf(g.get("cf-proxy-image")).buildArgs.NGINX_BASE, "harness-local/nginx:1.22");
  assert.equal(buildOf(g.get("cp-stub-image")).buildArgs.NODE_BASE, "harness-local/node:20");
  assert.equal(buildOf(g.get("postgres-image-image")).buildArgs.POSTGRES_BASE, "harness-local/postgres:15");
  assert.ok(g.dependencies("cf-proxy-image").includes("base-nginx"));
  assert.ok(g.dependencies("postgres-image-image").includes("base-postgres"));
});

test("image removal on destroy: the provider removes the stack's own built images, never a base; no cleanup Commands", async () => {
  const g = new Graph(await load({}));
  for (const image of builtImages(g)) {
    assert.equal(image.inputs.keepLocally, false, image.name);
    assert.match(String(image.inputs.name), /^harness-harness\//, `${image.name}: only the stack's own tag`);
  }
  for (const base of g.ofType(REMOTE_IMAGE).filter((r) => r.inputs.build === undefined))
    assert.equal(base.inputs.keepLocally, true, base.name);
  assert.deepEqual(
    g
      .ofType(COMMAND)
      .filter((c) => /cleanup/.test(c.name) || /docker image (rm|prune)/.test(String(c.inputs.delete))),
    [],
  );
});

test("tenantEnv, rateLimit, waitTimeoutSeconds and replay options reach the right resources", async () => {
  const g = new Graph(
    await load({
      "harness:tenantEnv": { LOG_LEVEL: "debug" },
      "harness:rateLimit": 50,
      "harness:waitTimeoutSeconds": 300,
      "harness:replays": {
        dir: "tests/pulumi/fixtures/replays",
        include: ["tenant-*"],
        exclude: ["canary-*"],
        timeoutSeconds: 30,
        concurrency: 3,
      },
    }),
  );
  const env = envOf(g.get("tenant-beta-container"));
  assert.equal(env.LOG_LEVEL, "debug");
  assert.equal(env.RATE_LIMIT, "50");
  const gates = healthGates(g.result);
  for (const c of g.ofType(CONTAINER)) {
    assert.equal(gates[String(c.inputs.name)], 300, `${c.name}: the health gate's timeout`);
    assert.ok(!("waitTimeout" in c.inputs), c.name);
  }
  assert.equal(
    g.get("replays-command").inputs.create,
    "node runner/dist/cli.js run --command-mode --replays-dir tests/pulumi/fixtures/replays --include 'tenant-*' --exclude 'canary-*' --timeout 30 --concurrency 3",
  );
});

test("failing replays are data: a FAIL summary still parses, replaysPassed is false", async () => {
  const summary = {
    total: 1,
    passed: 0,
    failed: 1,
    skipped: 0,
    xfailed: 0,
    xpassed: 0,
    durationMs: 5,
    results: [
      {
        name: "tenant-isolation",
        status: "FAIL",
        durationMs: 5,
        closes: null,
        message: "B1 expected 404, got 200",
      },
    ],
    reports: { json: "/r/results.json", junit: "/r/junit.xml", artifacts: "/r/artifacts" },
  };
  const g = new Graph(
    await load({}, { mockData: { commandStdout: { "replays-command": JSON.stringify(summary) } } }),
  );
  assert.equal(g.result.outputs.replaysPassed, false);
  assert.deepEqual(g.result.outputs.replays, summary);
  assert.deepEqual(g.result.outputs.reports, summary.reports);
});

test("a runner that prints no JSON fails the up with a clear message", async () => {
  const result = await load(
    {},
    { mockData: { commandStdout: { "seed-command": "Error: tenant alpha unreachable" } } },
  );
  assert.match(result.error?.message ?? "", /the seed printed no JSON on stdout/);
});

test("a free-port pick that prints no port fails the up, quoting what it printed", async () => {
  const result = await load({}, { mockData: { commandStdout: { "postgres-alpha-port-pick": "" } } });
  assert.match(result.error?.message ?? "", /picking a free port printed "", not a port/);
});

test("preview: same graph and inputs (content-addressed names are known before any build)", async () => {
  const up = new Graph(await load({}));
  const preview = new Graph(await load({}, { preview: true }));
  assert.deepEqual(preview.inventory(), up.inventory());
  for (const image of builtImages(up)) {
    assert.deepEqual(preview.get(image.name).inputs, image.inputs, image.name);
  }
});

test("preview with the real health gate: no Docker involved, nothing gated", async () => {
  const stubbed = new Graph(await load({}, { preview: true }));
  const real = new Graph(
    await load(
      {},
      { preview: true, moduleStubs: { "components/ready": join(REPO_ROOT, "components", "ready.ts") } },
    ),
  );
  assert.deepEqual(real.inventory(), stubbed.inventory());
  assert.deepEqual(healthGates(real.result), {}, "the stub was not used");
  assert.deepEqual(
    real.dependencies("tenant-alpha-container").sort(),
    stubbed.dependencies("tenant-alpha-container").sort(),
    "the real gate gives dependents the same edges",
  );
});
