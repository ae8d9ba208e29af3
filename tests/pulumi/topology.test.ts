/**
 * L2: the resource graph index.ts registers for 1, 2 and 3 tenants — exact inventory, names, labels,
 * env of every container, healthchecks and health gates, host ports, dependency edges, image wiring,
 * secrets and outputs. Run under pulumi.runtime.setMocks (tests/pulumi/load-program.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { EDGE_CONFIG_PATH, EDGE_HEALTHCHECK, renderNginxConf } from "../../cf-proxy";
import { imageTag } from "../../components/local-image";
import { networkCommands, networkName } from "../../components/network";
import { contextHash } from "../../program/lib/build-context";
import { freePortCommand, HEALTH_TIMING, httpProbe } from "../../program/lib/docker";
import { edgeOptions } from "../../program/config/edge";
import { labelList, Naming } from "../../program/lib/naming";
import {
  buildOf,
  builtImages,
  COMMAND,
  CONTAINER,
  envOf,
  expectedInventory,
  Graph,
  HOST_PORT,
  healthGates,
  labelsOf,
  load,
  pickedPort,
  REMOTE_IMAGE,
  tenantsConfig,
} from "./test-support";
import { destroyOrder, REPO_ROOT } from "./load-program";

/** The stack network's Docker name (the network Command's trigger). */
function networkOf(g: Graph): string {
  return String((g.get("network-bridge").inputs.triggers as string[])[0]);
}

for (const tenants of [["solo"], ["alpha", "beta"], ["alpha", "beta", "gamma"]]) {
  test(`${tenants.length} tenant(s): exactly the expected resources, names after the stack`, async () => {
    const g = new Graph(await load(tenantsConfig(tenants), { stack: "ci-42" }));
    assert.deepEqual(g.inventory(), expectedInventory(tenants, "harness-ci-42"));
    const names = g.ofType(CONTAINER).map((c) => c.inputs.name);
    assert.deepEqual(
      names.sort(),
      [
        "ci-42-redis",
        "ci-42-cp-stub",
        "ci-42-cf-proxy",
        "ci-42-sinkhole",
        ...tenants.flatMap((t) => [`ci-42-postgres-${t}`, `ci-42-tenant-${t}`]),
      ].sort(),
    );
    // The network's name hashes its definition (a replacement is created beside the old one).
    assert.match(networkOf(g), /^ci-42-net-[0-9a-f]{8}$/);
    // Built images: content-addressed tags in the stack's repository, one per role.
    const built = builtImages(g);
    assert.deepEqual(built.map((i) => i.name).sort(), [
      "cf-proxy-image",
      "cp-stub-image",
      "postgres-image-image",
      "sinkhole-image",
      "tenant-image-image",
    ]);
    for (const image of built) {
      const name = String(image.inputs.name);
      const m = /^harness-ci-42\/(cf-proxy|cp-stub|postgres|sinkhole|tenant):[0-9a-f]{12}$/.exec(name);
      assert.ok(m, `${image.name}: ${name} is harness-<stack>/<role>:<12 hex>`);
      assert.deepEqual(buildOf(image).labels, { "harness.stack": "harness/ci-42", "harness.role": m[1] });
    }
    // Every custom resource sits under its component, named `${component}-<part>`.
    for (const r of g.result.resources.filter((r) => r.custom)) {
      const parent = g.parentName(r.name);
      assert.ok(parent && r.name.startsWith(`${parent}-`), `${r.name} is a child of ${parent}`);
    }
  });
}

describe("two tenants (the default stack's shape)", () => {
  let g: Graph;
  before(async () => {
    g = new Graph(await load(tenantsConfig(["alpha", "beta"])));
  });

  test("every network, container and image build is labelled with the stack and its role", () => {
    const roles: Record<string, string> = {
      "redis-container": "redis",
      "cp-stub-container": "cp-stub",
      "postgres-alpha-container": "postgres",
      "postgres-beta-container": "postgres",
      "tenant-alpha-container": "tenant",
      "tenant-beta-container": "tenant",
      "cf-proxy-container": "cf-proxy",
    };
    for (const [name, role] of Object.entries(roles)) {
      const labels = labelsOf(g.get(name));
      assert.equal(labels["harness.stack"], "harness/harness", name);
      assert.equal(labels["harness.role"], role, name);
    }
    assert.equal(labelsOf(g.get("tenant-beta-container"))["harness.tenant"], "beta");
    // The provider's build labels the images itself: no label build args for the Dockerfiles.
    for (const [name, role] of [
      ["cp-stub-image", "cp-stub"],
      ["tenant-image-image", "tenant"],
      ["cf-proxy-image", "cf-proxy"],
    ]) {
      const build = buildOf(g.get(name));
      assert.deepEqual(build.labels, { "harness.stack": "harness/harness", "harness.role": role }, name);
      assert.ok(!("HARNESS_STACK" in build.buildArgs) && !("HARNESS_ROLE" in build.buildArgs), name);
    }
  });

  test("built images are tagged by content: the context's hash and every build input", () => {
    for (const [name, role, dir] of [
      ["cp-stub-image", "cp-stub", "cp-stub"],
      ["tenant-image-image", "tenant", "reference-tenant"],
      ["cf-proxy-image", "cf-proxy", "cf-proxy"],
    ]) {
      const image = g.get(name);
      const context = join(REPO_ROOT, dir);
      const tag = imageTag(contextHash(context, join(context, "Dockerfile")), buildOf(image));
      assert.equal(image.inputs.name, `harness-harness/${role}:${tag}`, name);
    }
  });

  test("each tenant has every production layer, its own postgres, the shared redis and cp-stub", () => {
    const alpha = envOf(g.get("tenant-alpha-container"));
    const beta = envOf(g.get("tenant-beta-container"));
    for (const [name, env] of [
      ["alpha", alpha],
      ["beta", beta],
    ] as const) {
      assert.equal(env.MOLECULE_ORG_ID, `harness-org-${name}`);
      assert.equal(env.MOLECULE_ENV, "production");
      assert.equal(env.CP_UPSTREAM_URL, "http://cp-stub:9090");
      assert.equal(env.MOLECULE_CP_URL, "http://cp-stub:9090");
      assert.equal(env.CP_PROVISION_URL, "http://cp-stub:9090");
      assert.equal(env.CANVAS_PROXY_URL, "http://localhost:3000");
      assert.equal(env.REDIS_URL, "redis://redis:6379");
      assert.equal(env.RATE_LIMIT, "1000");
      assert.equal(env.PORT, "8080");
      assert.equal(env.PLATFORM_URL, `http://tenant-${name}:8080`);
      assert.equal(env.MEMORY_PLUGIN_DISABLE, "1");
      assert.match(
        env.DATABASE_URL,
        new RegExp(`^postgres://harness:[^@]+@postgres-${name}:5432/molecule\\?sslmode=disable$`),
      );
      assert.equal(
        env.ADMIN_TOKEN,
        `mock-tenant-${name}-admin-token-random-0123456789abcdef0123456789abcdef`,
      );
      assert.equal(env.SECRETS_ENCRYPTION_KEY, "mock-encryption-key-random-0123456789abcdef0123456789abcdef");
      // No call may leave the harness: every URL the tenant is given stays inside the network.
      for (const [key, value] of Object.entries(env)) {
        if (/^https?:\/\//.test(value))
          assert.match(value, /^http:\/\/(cp-stub:9090|localhost:3000|tenant-[a-z]+:8080)(\/|$)/, key);
      }
    }
    assert.notEqual(alpha.ADMIN_TOKEN, beta.ADMIN_TOKEN, "one admin token per tenant");
    assert.notEqual(alpha.DATABASE_URL, beta.DATABASE_URL);
    assert.deepEqual(
      g.get("tenant-alpha-container").secretInputs,
      ["envs"],
      "env carries secrets: marked secret",
    );
    const pg = envOf(g.get("postgres-alpha-container"));
    // User and database are baked into the stack's postgres image; only the password is per stack.
    assert.deepEqual(Object.keys(pg), ["POSTGRES_PASSWORD"]);
    assert.deepEqual(g.get("postgres-alpha-container").secretInputs, ["envs"], "the password is secret");
    assert.ok(
      alpha.DATABASE_URL.includes(`:${pg.POSTGRES_PASSWORD}@`),
      "the tenant uses its postgres' password",
    );
    assert.deepEqual(envOf(g.get("cp-stub-container")), { PORT: "9090" });
  });

  test("healthchecks probe every ~1 s with explicit timeout/retries/start period; every container is health-gated, not provider-waited", () => {
    const tests: Record<string, string[]> = {
      "redis-container": ["CMD", "redis-cli", "ping"],
      "postgres-alpha-container": ["CMD", "pg_isready", "-U", "harness", "-d", "molecule", "-h", "127.0.0.1"],
      "cp-stub-container": httpProbe(9090, "/healthz"),
      "tenant-alpha-container": httpProbe(8080, "/health"),
      "cf-proxy-container": [...EDGE_HEALTHCHECK],
    };
    const gates = healthGates(g.result);
    for (const c of g.ofType(CONTAINER)) {
      const hc = c.inputs.healthcheck as Record<string, unknown>;
      assert.deepEqual({ ...hc, tests: undefined }, { ...HEALTH_TIMING, tests: undefined }, c.name);
      assert.ok(!("wait" in c.inputs), `${c.name}: no provider wait (the health gate replaces it)`);
      assert.ok(!("waitTimeout" in c.inputs), c.name);
      assert.equal(gates[String(c.inputs.name)], 120, `${c.name}: health-gated with the default timeout`);
      assert.equal(c.inputs.destroyGraceSeconds, 5, c.name);
      assert.equal(c.inputs.removeVolumes, true, c.name);
      assert.equal(
        c.options.deleteBeforeReplace,
        true,
        `${c.name}: fixed name/ports → delete before replace`,
      );
      assert.deepEqual(
        c.options.replaceOnChanges,
        ["healthcheck"],
        `${c.name}: Docker cannot change a healthcheck in place`,
      );
      if (tests[c.name]) assert.deepEqual(hc.tests, tests[c.name], c.name);
    }
    assert.deepEqual(
      Object.keys(gates).sort(),
      g
        .ofType(CONTAINER)
        .map((c) => String(c.inputs.name))
        .sort(),
      "one gate per container, nothing else",
    );
  });

  test("published ports bind loopback only; the edge on 8080, postgres and cp-stub on host ports picked once", () => {
    const ports = (name: string) =>
      g.get(name).inputs.ports as { internal: number; external?: number; ip: string }[] | undefined;
    assert.deepEqual(ports("cf-proxy-container"), [
      { internal: 8080, external: 8080, ip: "127.0.0.1", protocol: "tcp" },
    ]);
    assert.deepEqual(ports("cp-stub-container"), [
      { internal: 9090, external: pickedPort(g, "cp-stub-port"), ip: "127.0.0.1", protocol: "tcp" },
    ]);
    assert.deepEqual(ports("postgres-beta-container"), [
      { internal: 5432, external: pickedPort(g, "postgres-beta-port"), ip: "127.0.0.1", protocol: "tcp" },
    ]);
    assert.equal(ports("tenant-alpha-container"), undefined, "tenants are reached through the edge only");
    assert.equal(ports("redis-container"), undefined);
    const picked = ["cp-stub-port", "postgres-alpha-port", "postgres-beta-port"].map((p) => pickedPort(g, p));
    assert.equal(new Set(picked).size, picked.length, "one host port each");
  });

  test("host ports: a free port picked once by a never-rerun Command under each HostPort; a configured port picks nothing", () => {
    const hostPorts = g.ofType(HOST_PORT).map((h) => h.name);
    assert.deepEqual(hostPorts.sort(), [
      "cf-proxy-port",
      "cp-stub-port",
      "postgres-alpha-port",
      "postgres-beta-port",
    ]);
    for (const name of ["cp-stub-port", "postgres-alpha-port", "postgres-beta-port"]) {
      const pick = g.get(`${name}-pick`);
      assert.equal(pick.type, COMMAND);
      assert.equal(g.parentName(pick.name), name);
      assert.equal(pick.inputs.create, freePortCommand("127.0.0.1"), "the free-port check binds loopback");
      assert.deepEqual(
        pick.options.ignoreChanges,
        ["create"],
        "never re-run when the command's text changes",
      );
      assert.equal(pick.inputs.triggers, undefined, "no triggers: never re-run by a later up");
      assert.equal(pick.inputs.addPreviousOutputInEnv, false);
      assert.equal(pick.inputs.logging, "none");
    }
    assert.ok(!g.byName.has("cf-proxy-port-pick"), "edge.port 8080 is configured: no pick");
    for (const [owner, hostPort] of [
      ["cp-stub", "cp-stub-port"],
      ["postgres-alpha", "postgres-alpha-port"],
      ["cf-proxy", "cf-proxy-port"],
    ])
      assert.equal(g.parentName(hostPort), owner);
  });

  test("network aliases give in-network DNS without the stack prefix", () => {
    const aliases = (name: string) =>
      g.get(name).inputs.networksAdvanced as { name: string; aliases: string[] }[];
    const net = networkOf(g);
    const pub = String((g.get("publish-network-bridge").inputs.triggers as string[])[0]);
    // Issue 14: every container on the internal network, with its alias there; what publishes a port
    // joins the bridge first (Docker publishes nothing from an internal network); a tenant never does.
    const onInternal = (name: string) => aliases(name).find((n) => n.name === net)?.aliases;
    for (const c of g.ofType(CONTAINER)) assert.ok(onInternal(c.name), `${c.name} is on ${net}`);
    for (const c of ["postgres-alpha-container", "cp-stub-container", "cf-proxy-container"])
      assert.deepEqual(aliases(c)[0], { name: pub }, `${c} is dual-homed`);
    for (const c of [
      "tenant-alpha-container",
      "tenant-beta-container",
      "redis-container",
      "sinkhole-container",
    ])
      assert.equal(aliases(c).length, 1, `${c} is on the internal network only`);
    assert.deepEqual(onInternal("postgres-alpha-container"), ["postgres-alpha"]);
    assert.deepEqual(onInternal("redis-container"), ["redis"]);
    assert.deepEqual(onInternal("cp-stub-container"), ["cp-stub"]);
    assert.deepEqual(onInternal("tenant-beta-container"), ["tenant-beta"]);
    assert.deepEqual(onInternal("cf-proxy-container"), ["cf-proxy"]);
  });

  test("dependency edges: every container starts at once (on the network, from its image); the seed waits for every container's health gate; replays after the seed", () => {
    const deps = (name: string) => new Set(g.dependencies(name));
    /** Names behind `name`'s inputs (its other dependencies come from dependsOn). */
    const inputDeps = (name: string) =>
      new Set(
        Object.values(g.get(name).propertyDependencies)
          .flat()
          .map((urn) => g.byUrn.get(urn)?.name ?? urn),
      );
    for (const t of ["alpha", "beta"]) {
      const d = deps(`tenant-${t}-container`);
      for (const need of [`postgres-${t}-container`, "network-bridge", "tenant-image-image"]) {
        assert.ok(d.has(need), `tenant-${t} waits for ${need}`);
      }
      // Its postgres only as an input (the container id label), not its health: no waves.
      assert.ok(inputDeps(`tenant-${t}-container`).has(`postgres-${t}-container`));
      for (const other of [
        "redis-container",
        "cp-stub-container",
        `postgres-${t === "alpha" ? "beta" : "alpha"}-container`,
      ])
        assert.ok(!d.has(other), `tenant-${t} does not wait for ${other}`);
    }
    for (const tenant of ["tenant-alpha-container", "tenant-beta-container"])
      assert.ok(!deps("cf-proxy-container").has(tenant), `the edge does not wait for ${tenant}`);
    assert.ok(deps("cf-proxy-container").has("cf-proxy-image"));
    const containers = g.ofType(CONTAINER).map((c) => c.name);
    for (const c of containers) {
      assert.ok(deps("seed-command").has(c), `seed waits for ${c}`);
      // Through its health gate; the tenants are also inputs (their ids trigger a re-seed).
      if (!c.startsWith("tenant-"))
        assert.ok(!inputDeps("seed-command").has(c), `the seed waits for ${c}'s health gate, not an input`);
    }
    assert.ok(deps("replays-command").has("seed-command"));
    for (const pg of ["postgres-alpha-container", "redis-container", "cp-stub-container"])
      assert.ok(deps(pg).has("network-bridge"));
    // Published ports come from their picks.
    assert.ok(inputDeps("postgres-alpha-container").has("postgres-alpha-port-pick"));
    assert.ok(inputDeps("cp-stub-container").has("cp-stub-port-pick"));
    // Images build FROM the pulled bases.
    assert.ok(deps("cp-stub-image").has("base-node"));
    assert.ok(deps("tenant-image-image").has("base-node"));
    assert.ok(deps("cf-proxy-image").has("base-nginx"));
    // Containers run the built image (no cleanup Commands any more: the provider removes it).
    assert.ok(deps("cp-stub-container").has("cp-stub-image"));
    assert.deepEqual(
      g.ofType(COMMAND).filter((c) => c.name.endsWith("-cleanup")),
      [],
      "no image-cleanup Commands",
    );
  });

  test("registration order honours every dependency (what a real driver creates in)", () => {
    const seq = new Map(g.result.resources.map((r) => [r.name, r.seq]));
    for (const r of g.result.resources) {
      for (const dep of g.dependencies(r.name))
        assert.ok(seq.get(dep)! < r.seq, `${dep} registers before ${r.name}`);
      const parent = g.parentName(r.name);
      if (parent) assert.ok(seq.get(parent)! < r.seq, `${parent} registers before its child ${r.name}`);
    }
  });

  test("destroyOrder deletes every resource before what it depends on", () => {
    const order = destroyOrder(g.result).map((r) => r.name);
    const position = new Map(order.map((name, i) => [name, i]));
    for (const name of order) {
      for (const dep of g.dependencies(name)) {
        if (position.has(dep))
          assert.ok(position.get(name)! < position.get(dep)!, `${name} goes before ${dep}`);
      }
    }
    assert.equal(order[0], "replays-command");
    assert.ok(position.get("network-bridge")! > position.get("tenant-alpha-container")!);
  });

  test("containers take images by id: built and base images alike", () => {
    const imageId = (name: string) => String(g.get(name).state?.imageId);
    assert.equal(g.get("cp-stub-container").inputs.image, imageId("cp-stub-image"));
    assert.equal(g.get("tenant-alpha-container").inputs.image, imageId("tenant-image-image"));
    assert.equal(g.get("tenant-beta-container").inputs.image, imageId("tenant-image-image"));
    assert.equal(g.get("cf-proxy-container").inputs.image, imageId("cf-proxy-image"));
    assert.equal(g.get("postgres-alpha-container").inputs.image, imageId("postgres-image-image"));
    assert.equal(
      g.get("postgres-beta-container").inputs.image,
      imageId("postgres-image-image"),
      "one image per stack",
    );
    assert.equal(g.get("redis-container").inputs.image, imageId("base-redis"));
    assert.match(imageId("cp-stub-image"), /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(imageId("cp-stub-image"), imageId("tenant-image-image"));
  });

  test("images: built by the provider from their context with their build args, removed on destroy; bases kept locally", () => {
    const labels = (role: string) => ({ "harness.role": role, "harness.stack": "harness/harness" });
    assert.deepEqual(buildOf(g.get("tenant-image-image")), {
      context: join(REPO_ROOT, "reference-tenant"),
      dockerfile: "Dockerfile",
      buildArgs: { GIT_SHA: "harness", NODE_BASE: "node:20-bookworm-slim" },
      labels: labels("tenant"),
      useLegacyBuilder: false,
    });
    assert.deepEqual(buildOf(g.get("cp-stub-image")), {
      context: join(REPO_ROOT, "cp-stub"),
      dockerfile: "Dockerfile",
      buildArgs: { NODE_BASE: "node:20-bookworm-slim" },
      labels: labels("cp-stub"),
      useLegacyBuilder: false,
    });
    assert.deepEqual(buildOf(g.get("cf-proxy-image")), {
      context: join(REPO_ROOT, "cf-proxy"),
      dockerfile: "Dockerfile",
      buildArgs: { NGINX_BASE: "nginx:1.27-alpine" },
      labels: labels("cf-proxy"),
      useLegacyBuilder: false,
    });
    for (const image of builtImages(g)) {
      assert.equal(image.inputs.keepLocally, false, `${image.name}: removed on destroy (keepImages off)`);
      assert.deepEqual(Object.keys(image.inputs).sort(), ["build", "keepLocally", "name"], image.name);
    }
    const bases = g.ofType(REMOTE_IMAGE).filter((r) => r.inputs.build === undefined);
    for (const base of bases) {
      assert.deepEqual(Object.keys(base.inputs).sort(), ["keepLocally", "name"], base.name);
      assert.equal(base.inputs.keepLocally, true, base.name);
    }
    assert.deepEqual(bases.map((b) => b.inputs.name).sort(), [
      "nginx:1.27-alpine",
      "node:20-bookworm-slim",
      "postgres:16-alpine",
      "redis:7-alpine",
    ]);
  });

  test("the edge gets the nginx config rendered from the tenant list as an upload", () => {
    const uploads = g.get("cf-proxy-container").inputs.uploads as { file: string; content: string }[];
    assert.equal(uploads.length, 1);
    assert.equal(uploads[0].file, EDGE_CONFIG_PATH);
    const expected = renderNginxConf(
      edgeOptions([{ name: "alpha" }, { name: "beta" }], {
        port: 8080,
        bindAddress: "127.0.0.1",
        forwardedProto: "https",
        readTimeoutSeconds: 100,
        maxBodySize: "100m",
      }),
    );
    assert.equal(uploads[0].content, expected);
    assert.match(uploads[0].content, /tenant-beta:8080/);
  });

  test("the network is a labelled bridge named after the stack and its definition, made by a Command", () => {
    const net = g.get("network-bridge");
    assert.equal(net.type, COMMAND);
    const spec = {
      driver: "bridge",
      internal: true,
      labels: labelList({ "harness.stack": "harness/harness", "harness.role": "network" }),
    };
    const name = networkName(new Naming("harness", "harness"), spec);
    assert.match(name, /^harness-net-[0-9a-f]{8}$/);
    const commands = networkCommands(name, spec);
    assert.equal(net.inputs.create, commands.create);
    assert.equal(net.inputs.delete, commands.delete);
    assert.deepEqual(net.inputs.triggers, [name], "a new definition is a new network (replacement)");
    assert.match(String(net.inputs.create), /--label harness\.role=network/);
    assert.match(String(net.inputs.create), /--label harness\.stack=harness\/harness/);
    assert.deepEqual(
      net.options.replaceOnChanges,
      ["triggers[*]"],
      "the SDK's own rule: a new trigger replaces it",
    );
  });

  test("per-stack secrets: generated once by never-logged Commands, kept in state, marked secret", () => {
    for (const name of [
      "encryption-key-random",
      "tenant-alpha-admin-token-random",
      "postgres-beta-password-random",
    ]) {
      const cmd = g.get(name);
      assert.equal(cmd.type, COMMAND);
      assert.match(
        String(cmd.inputs.create),
        /^node -e "process\.stdout\.write\(require\('crypto'\)\.randomBytes\(\d+\)/,
      );
      assert.equal(cmd.inputs.logging, "none");
      assert.equal(cmd.inputs.triggers, undefined, "no triggers: never regenerated by a later up");
      assert.deepEqual(cmd.options.additionalSecretOutputs, ["stdout", "stderr"]);
      assert.deepEqual(cmd.options.ignoreChanges, ["create"]);
    }
  });

  test("seed and replays Commands: the runner's contract", () => {
    const seed = g.get("seed-command").inputs;
    assert.equal(seed.create, "node runner/dist/cli.js seed");
    assert.equal(seed.update, seed.create);
    assert.equal(seed.addPreviousOutputInEnv, false);
    assert.equal(seed.logging, "stderr", "progress from stderr is streamed; stdout is data");
    assert.deepEqual(g.get("seed-command").secretInputs, ["environment.HARNESS_TARGET"]);
    const target = JSON.parse((seed.environment as Record<string, string>).HARNESS_TARGET);
    assert.equal(target.edgeUrl, "http://127.0.0.1:8080");
    assert.equal(target.legacyHost, "harness-tenant.localhost");
    assert.equal(target.cpStubUrl, `http://127.0.0.1:${pickedPort(g, "cp-stub-port")}`);
    assert.equal(target.expectedGitSha, "harness");
    assert.equal(target.edgeForwardedProto, "https", "the edge-header-shape replay compares with it");
    assert.deepEqual(
      target.tenants.map((t: { name: string }) => t.name),
      ["alpha", "beta"],
    );
    assert.match(
      target.tenants[0].databaseUrl,
      new RegExp(
        `^postgres://harness:[^@]+@127\\.0\\.0\\.1:${pickedPort(g, "postgres-alpha-port")}/molecule`,
      ),
    );
    assert.equal(target.tenants[1].container, "harness-tenant-beta");
    assert.equal(target.containers.length, 8);
    assert.match(target.reportsDir, /\/\.harness\/reports\/harness$/);
    const tenantIds = ["tenant-alpha-container", "tenant-beta-container"].map((n) => g.get(n).id);
    assert.deepEqual(seed.triggers, tenantIds, "the seed re-runs only when a tenant container is replaced");

    const replays = g.get("replays-command").inputs;
    assert.equal(
      replays.create,
      "node runner/dist/cli.js run --command-mode --replays-dir tests/pulumi/fixtures/replays --timeout 120 --concurrency 3",
    );
    assert.equal(replays.update, replays.create);
    assert.equal(replays.addPreviousOutputInEnv, false);
    assert.equal(replays.logging, "stderr");
    const env = replays.environment as Record<string, string>;
    assert.deepEqual(JSON.parse(env.HARNESS_SEED), {
      tenants: {
        alpha: { parent: "alpha-parent-id", child: "alpha-child-id" },
        beta: { parent: "beta-parent-id", child: "beta-child-id" },
      },
    });
    // The seed's target plus the images under test (report.html names them; the seed must not see them).
    const { images, ...seedTarget } = JSON.parse(env.HARNESS_TARGET) as Record<string, unknown>;
    assert.deepEqual(seedTarget, target);
    assert.deepEqual(Object.keys(images as object), ["tenant", "cp-stub", "cf-proxy"]);
    // Where the egress journal is, with harness:egress (also in the `target` output: kept-stack runs).
    assert.deepEqual(target.egress, { container: "harness-sinkhole", mode: "fail", allow: [] });
    assert.equal(env.HARNESS_SUITES, undefined, "no suites configured: none handed to the runner");
    const triggers = replays.triggers as string[];
    assert.match(triggers[0], /^content:[0-9a-f]{64}$/);
    assert.ok(!triggers.some((t) => t.startsWith("suites:")));
    for (const [role, image] of [
      ["tenant", "tenant-image-image"],
      ["cp-stub", "cp-stub-image"],
      ["cf-proxy", "cf-proxy-image"],
    ])
      assert.ok(triggers.includes(`image:${role}=${g.get(image).state?.imageId}`), role);
    for (const c of g.ofType(CONTAINER))
      assert.ok(triggers.includes(`container:${c.inputs.name}=${c.id}`), c.name);
  });

  test("outputs: the CI contract, with secrets marked secret", () => {
    const o = g.result.outputs as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(Object.keys(o).sort(), [
      "adminTokens",
      "containers",
      "cpStubUrl",
      "edgeUrl",
      "engine",
      "legacyHost",
      "replays",
      "replaysPassed",
      "reports",
      "seed",
      "suites",
      "target",
      "tenants",
    ]);
    assert.equal(o.edgeUrl, "http://127.0.0.1:8080");
    assert.equal(o.legacyHost, "harness-tenant.localhost");
    assert.equal(o.cpStubUrl, `http://127.0.0.1:${pickedPort(g, "cp-stub-port")}`);
    assert.deepEqual(Object.keys(o.tenants), ["alpha", "beta"]);
    assert.deepEqual(
      { ...o.tenants.alpha, databaseUrl: undefined },
      {
        host: "harness-tenant-alpha.localhost",
        url: "http://harness-tenant-alpha.localhost:8080",
        orgId: "harness-org-alpha",
        containers: { tenant: "harness-tenant-alpha", postgres: "harness-postgres-alpha" },
        databaseUrl: undefined,
      },
    );
    assert.match(
      o.tenants.beta.databaseUrl,
      new RegExp(
        `^postgres://harness:.+@127\\.0\\.0\\.1:${pickedPort(g, "postgres-beta-port")}/molecule\\?sslmode=disable$`,
      ),
    );
    assert.deepEqual(Object.keys(o.adminTokens), ["alpha", "beta"]);
    assert.deepEqual(o.seed.tenants.beta, { parent: "beta-parent-id", child: "beta-child-id" });
    assert.equal(o.replays.total, 2);
    assert.equal(o.replaysPassed, true);
    assert.deepEqual(o.reports, { json: "/tmp/report.json", junit: "/tmp/junit.xml", artifacts: null });
    assert.equal(o.containers.length, 8);
    assert.deepEqual(o.suites, [], "no harness:suites configured");
    // What the Commands get, for `npm run replays -- --stack` (scripts/replays.ts).
    assert.equal(
      o.target,
      (g.get("seed-command").inputs.environment as Record<string, string>).HARNESS_TARGET,
    );
    assert.deepEqual(g.result.secretOutputs.sort(), [
      "adminTokens",
      "target",
      "tenants.alpha.databaseUrl",
      "tenants.beta.databaseUrl",
    ]);
  });

  test("the host-side bundles are produced before any resource is declared", () => {
    const log = g.result.log;
    assert.deepEqual(log.slice(0, 3), ["bundle cp-stub", "bundle sinkhole", "bundle tenant"]);
    const firstResource = log.findIndex(
      (l) => l.startsWith("register ") && !l.startsWith("register pulumi:pulumi:Stack"),
    );
    assert.ok(firstResource > 0);
    assert.ok(log.indexOf("bundle tenant") < firstResource);
  });
});
