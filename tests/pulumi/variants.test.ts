/** L2: the tenant source variants and the config knobs that change the graph. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { COMMAND, CONTAINER, envOf, Graph, IMAGE, load, REMOTE_IMAGE } from "./harness";

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
    assert.equal(image.imageName, "harness-harness/tenant:local");
    assert.equal(image.skipPush, true);
    const build = image.build as Record<string, unknown>;
    assert.equal(build.context, monorepo);
    assert.equal(build.dockerfile, join(monorepo, "workspace-server", "Dockerfile.tenant"));
    assert.equal(build.target, "runtime");
    assert.deepEqual(build.args, {
      NEXT_PUBLIC_WS_URL: "",
      GIT_SHA: "0123456789abcdef0123456789abcdef01234567",
      HARNESS_STACK: "harness/harness",
      HARNESS_ROLE: "tenant",
    });
    assert.deepEqual(
      g.dependencies("tenant-image-image"),
      ["tenant-image-image-cleanup"],
      "no harness base image (the user's Dockerfile picks its own); only its cleanup comes first",
    );
  });

  test("tenants run it by repoDigest with the anchor's healthcheck; only the cp-stub is bundled", () => {
    const digest = g.get("tenant-image-image").state?.repoDigest;
    for (const t of ["alpha", "beta"]) {
      const c = g.get(`tenant-${t}-container`).inputs;
      assert.equal(c.image, digest);
      assert.deepEqual((c.healthcheck as { tests: string[] }).tests, [
        "CMD-SHELL",
        "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1",
      ]);
    }
    assert.deepEqual(
      g.result.log.filter((l) => l.startsWith("bundle")),
      ["bundle cp-stub"],
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
    assert.ok(!g.byName.has("tenant-image-image-cleanup"), "a pulled image is not ours to remove");
    assert.deepEqual(
      g
        .ofType(IMAGE)
        .map((i) => i.name)
        .sort(),
      ["cf-proxy-image", "cp-stub-image"],
    );
  });

  test("tenants run it by image id, with the image's own HEALTHCHECK, still waiting for health", () => {
    const imageId = g.get("tenant-image-pulled").state?.imageId;
    const c = g.get("tenant-alpha-container").inputs;
    assert.equal(c.image, imageId);
    assert.equal(c.healthcheck, undefined);
    assert.equal(c.wait, true);
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
  assert.deepEqual(g.get("cf-proxy-container").inputs.ports, [
    { internal: 8080, ip: "0.0.0.0", protocol: "tcp" },
  ]);
  assert.deepEqual(g.get("cp-stub-container").inputs.ports, []);
  const published = (g.get("cf-proxy-container").state?.ports as { external: number }[])[0].external;
  assert.equal(
    g.result.outputs.edgeUrl,
    `http://127.0.0.1:${published}`,
    "the port Docker picked, reached on loopback",
  );
  assert.equal(g.result.outputs.cpStubUrl, "");
  for (const c of g.ofType(CONTAINER)) {
    for (const p of (c.inputs.ports ?? []) as { ip: string }[]) {
      if (c.name !== "cf-proxy-container") assert.equal(p.ip, "127.0.0.1", `${c.name} stays on loopback`);
    }
  }
});

test("rebuild nonce: a build arg that forces every local image to rebuild (config or HARNESS_REBUILD_NONCE)", async () => {
  const fromConfig = new Graph(await load({ "harness:rebuildNonce": "n1" }));
  const fromEnv = new Graph(
    await load({ "harness:rebuildNonce": "n1" }, { env: { HARNESS_REBUILD_NONCE: "1700000000" } }),
  );
  for (const image of ["cp-stub-image", "tenant-image-image", "cf-proxy-image"]) {
    assert.equal(
      (fromConfig.get(image).inputs.build as { args: Record<string, string> }).args.HARNESS_REBUILD,
      "n1",
    );
    assert.equal(
      (fromEnv.get(image).inputs.build as { args: Record<string, string> }).args.HARNESS_REBUILD,
      "1700000000",
    );
    assert.notEqual(
      fromConfig.get(image).state?.repoDigest,
      fromEnv.get(image).state?.repoDigest,
      "new build → new digest",
    );
  }
  assert.notEqual(
    fromConfig.get("tenant-alpha-container").inputs.image,
    fromEnv.get("tenant-alpha-container").inputs.image,
  );
});

test("keepImages: no image removal on destroy; imageBuilder and base images are passed through", async () => {
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
  assert.deepEqual(
    g.ofType(COMMAND).filter((c) => c.name.endsWith("-image-cleanup")),
    [],
  );
  assert.equal(
    (g.get("cp-stub-image").inputs.build as { builderVersion: string }).builderVersion,
    "BuilderV1",
  );
  assert.deepEqual(
    g
      .ofType(REMOTE_IMAGE)
      .map((r) => r.inputs.name)
      .sort(),
    [
      "harness-local/nginx:1.22",
      "harness-local/node:20",
      "harness-local/postgres:15",
      "harness-local/redis:7",
    ],
  );
  assert.equal(
    (g.get("cf-proxy-image").inputs.build as { args: Record<string, string> }).args.NGINX_BASE,
    "harness-local/nginx:1.22",
  );
});

test("image removal on destroy: best effort, the stack's tag and its dangling builds only", async () => {
  const g = new Graph(await load({}));
  const cleanup = g.get("cp-stub-image-cleanup").inputs;
  assert.equal(cleanup.create, undefined, "nothing to do on create");
  assert.equal(
    cleanup.delete,
    "docker image rm harness-harness/cp-stub:local >/dev/null 2>&1; docker image prune --force --filter label=harness.stack=harness/harness --filter label=harness.role=cp-stub >/dev/null 2>&1; true",
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
  for (const c of g.ofType(CONTAINER)) assert.equal(c.inputs.waitTimeout, 300);
  assert.equal(
    g.get("replays-command").inputs.create,
    "node --import tsx runner/cli.ts run --command-mode --replays-dir tests/pulumi/fixtures/replays --include 'tenant-*' --exclude 'canary-*' --timeout 30 --concurrency 3",
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

test("preview: same graph, images are declared not to build, nothing else differs", async () => {
  const up = new Graph(await load({}));
  const preview = new Graph(await load({}, { preview: true }));
  assert.deepEqual(preview.inventory(), up.inventory());
  for (const image of preview.ofType(IMAGE)) assert.equal(image.inputs.buildOnPreview, false);
});
