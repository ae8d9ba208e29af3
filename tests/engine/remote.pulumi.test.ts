/**
 * `harness:engine` on the real engine: a second dockerd over mutual TLS in a network namespace
 * (tests/test-support/remote-engine.ts). A client without a certificate is refused; the base-image
 * stand-ins reach the fresh engine by `npm run base-images -- --engine`; the e2e stack plus
 * `harness:engine` boots there and passes every replay and suite; its outputs' URLs name the engine's
 * address and answer from this machine (the edge with a tenant's Host header, the cp-stub, each
 * tenant's database through psql); nothing was created on the local engine; destroy leaves nothing
 * on either; the pool picks the engine with room by counting stacks by label. Then the certificates
 * as Pulumi secrets (the key nowhere in the clear), and `npm run harness -- --engines` end to end.
 * About 2.5 minutes on the CI machine kind (2 cores).
 */
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import Docker from "dockerode";
import { request } from "undici";
import { parse, stringify } from "yaml";
import { reportsDir } from "../../program/lib/target";
import { LABEL_STACK } from "../../program/lib/naming";
import { chooseEngine, readEngineFile, runningStacks } from "../../scripts/one-shot/pool";
import { startRemoteEngine, type RemoteEngine } from "../test-support/remote-engine";
import { toolchainEnv } from "../../scripts/pulumi/toolchain";
import {
  docker,
  e2eConfig,
  labelled,
  PASSPHRASE,
  REPO_ROOT,
  testStack,
  toolchainCli,
  type TestStack,
} from "./test-support";

const run = promisify(execFile);
let engine: RemoteEngine;
const stacks: TestStack[] = [];
const dir = mkdtempSync(join(tmpdir(), "harness-remote-"));

/**
 * What the local engine did for a stack since `since` (seconds): its events for objects carrying the
 * stack's label. Other stacks (other tests) may come and go locally meanwhile; this one must not.
 */
async function localEvents(label: string, since: number): Promise<string[]> {
  const until = Math.ceil(Date.now() / 1000);
  const stream = await docker.getEvents({ since, until, filters: { label: [`${LABEL_STACK}=${label}`] } });
  let text = "";
  for await (const chunk of stream) text += String(chunk);
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const e = JSON.parse(line) as { Type: string; Action: string; Actor: { ID: string } };
      return `${e.Type} ${e.Action} ${e.Actor.ID}`;
    });
}

before(async () => {
  engine = await startRemoteEngine({ mirror: true });
});

after(async () => {
  for (const stack of stacks) {
    await stack.destroy().catch(() => undefined);
    await stack.dispose().catch(() => undefined);
  }
  await engine?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the engine refuses a client without a certificate", async () => {
  const bare = new Docker({ host: engine.address, port: 2376, protocol: "https", ca: engine.material.ca });
  await assert.rejects(bare.ping(), /certificate/);
  assert.equal(String(await engine.docker.ping()), "OK");
});

test("npm run base-images -- --engine puts the stand-ins on a fresh engine, once", async () => {
  const file = join(dir, "engine.yaml");
  writeFileSync(file, `host: ${engine.host}\ntls: {certPath: ${engine.certDir}}\n`);
  const first = await run("bash", [join(REPO_ROOT, "scripts", "base-images.sh"), "--engine", file]);
  assert.match(first.stderr, /loaded .*harness-local\/postgres:15/);
  for (const ref of [
    "harness-local/node:20",
    "harness-local/nginx:1.22",
    "harness-local/postgres:15",
    "harness-local/redis:7",
  ]) {
    assert.equal(
      (await engine.docker.getImage(ref).inspect()).Id,
      (await docker.getImage(ref).inspect()).Id,
      ref,
    );
  }
  const second = await run("bash", [join(REPO_ROOT, "scripts", "base-images.sh"), "--engine", file]);
  assert.match(second.stderr, /has every stand-in/);
});

test(
  "a full stack on the remote engine: every replay passes, its URLs name the engine, both engines clean after",
  { timeout: 20 * 60_000 },
  async (t) => {
    const since = Math.floor(Date.now() / 1000);
    const stack = await testStack("remote", {
      "harness:engine": { host: engine.host, tls: { certPath: engine.certDir } },
    });
    stacks.push(stack);
    const started = Date.now();
    await stack.up();
    t.diagnostic(`up on the remote engine: ${Date.now() - started} ms`);
    const out = await stack.outputs();

    const replays = out.replays as {
      total: number;
      failed: number;
      xpassed: number;
      results: { name: string; status: string; kind?: string }[];
    };
    assert.equal(out.replaysPassed, true, JSON.stringify(replays.results.filter((r) => r.status !== "PASS")));
    assert.equal(replays.failed, 0);
    t.diagnostic(`ran: ${replays.results.map((r) => `${r.name} ${r.status}`).join(", ")}`);
    // The e2e config's suites run too; the bash one asserts on each tenant's database with psql.
    const suites = replays.results.filter((r) => r.kind === "suite");
    assert.deepEqual(suites.map((r) => `${r.name} ${r.status}`).sort(), ["api-bash PASS", "api-pytest PASS"]);
    assert.ok(replays.results.filter((r) => r.kind !== "suite").length >= 10, "the replays ran");
    assert.deepEqual(out.engine, {
      host: engine.host,
      publishAddress: engine.address,
      clientAddress: engine.address,
    });

    // The outputs name the engine's address, and answer from here.
    const at = new RegExp(`^http://${engine.address.replace(/\./g, "\\.")}:\\d+$`);
    assert.match(String(out.edgeUrl), at);
    assert.match(String(out.cpStubUrl), at);
    const tenants = out.tenants as Record<string, { host: string; url: string; databaseUrl: string }>;
    for (const [name, tenant] of Object.entries(tenants)) {
      assert.match(tenant.url, at, name);
      const health = await request(`${tenant.url}/health`, { headers: { host: tenant.host } });
      assert.equal(health.statusCode, 200, `${name} answers through the edge`);
      await health.body.dump();
      assert.ok(
        new URL(tenant.databaseUrl).hostname === engine.address,
        `${name}'s database URL names the engine`,
      );
      const psql = await run("psql", [tenant.databaseUrl, "-tAc", "select 1"]);
      assert.equal(psql.stdout.trim(), "1", `${name}'s database answers psql`);
    }
    const stub = await request(`${String(out.cpStubUrl)}/__stub/requests`);
    assert.equal(stub.statusCode, 200, "the cp-stub answers");
    await stub.body.dump();

    // Everything is on the remote engine, nothing on this one.
    assert.ok((await labelled(stack.label)).length === 0, "nothing of the stack on the local engine");
    const remote = await engine.docker.listContainers({
      filters: { label: [`${LABEL_STACK}=${stack.label}`] },
    });
    assert.ok(remote.length >= 7, `the stack's containers run on the remote engine (${remote.length})`);
    assert.deepEqual(await localEvents(stack.label, since), [], "the local engine did nothing for the stack");

    // The pool counts it: with one slot per engine, a second stack goes to the other engine.
    const pool = join(dir, "pool.yaml");
    writeFileSync(
      pool,
      [
        "maxStacks: 1",
        "engines:",
        `  - {name: remote, host: "${engine.host}", tls: {certPath: ${engine.certDir}}}`,
        "  - {name: local, host: unix:///var/run/docker.sock, maxStacks: 1000}",
      ].join("\n"),
    );
    const engines = readEngineFile(pool);
    assert.ok(Array.isArray(engines), String(engines));
    const loads = await Promise.all(
      engines.map(async (e) => ({
        engine: e,
        stacks: await runningStacks(e.name === "remote" ? engine.docker : docker),
      })),
    );
    assert.deepEqual(loads[0].stacks, [stack.label]);
    const other = chooseEngine(loads, "harness/another");
    assert.ok("engine" in other && other.engine.name === "local", JSON.stringify(other));
    const same = chooseEngine(loads, stack.label);
    assert.ok("engine" in same && same.engine.name === "remote", "a running stack stays on its engine");

    await stack.destroy();
    const left = await engine.docker.listContainers({ all: true, filters: { label: [LABEL_STACK] } });
    const nets = await engine.docker.listNetworks({ filters: { label: [LABEL_STACK] } });
    const images = await engine.docker.listImages({ all: true, filters: { label: [LABEL_STACK] } });
    assert.deepEqual([...left, ...nets, ...images], [], "destroy leaves nothing on the remote engine");
    assert.deepEqual(await labelled(stack.label), [], "nor on the local one");
    assert.deepEqual(await localEvents(stack.label, since), [], "which never saw the stack");
  },
);

/** Every file below `dir`, as text (the stack's state, its stack file, the engine's plugin logs). */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, "latin1"))
    .join("\n");
}

test(
  "certificates as Pulumi secrets: the stack runs there, and the key is nowhere in the clear",
  { timeout: 20 * 60_000 },
  async () => {
    // One replay and no suites: what matters here is how every resource reaches the engine.
    const stack = await testStack("remote-pem", {
      "harness:engine": { host: engine.host },
      "harness:replays": { include: ["strict-auth*"] },
      "harness:suites": [],
    });
    stacks.push(stack);
    // As the README says: `pulumi config set --path --secret`, the value on stdin (PEM starts with "-").
    const cli = (await toolchainCli()).toolchain!;
    const env = {
      ...process.env,
      ...toolchainEnv(cli),
      PULUMI_BACKEND_URL: `file://${join(dirname(stack.workDir), "state")}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    const pulumi = (args: string[], input?: string) => {
      const r = spawnSync(cli.pulumi, [...args, "--stack", stack.name], { cwd: stack.workDir, env, input });
      assert.equal(r.status, 0, `pulumi ${args.join(" ")}: ${String(r.stderr)}`);
    };
    pulumi(["stack", "init", "--secrets-provider", "passphrase"]);
    for (const k of ["ca", "cert", "key"] as const) {
      pulumi(["config", "set", "--path", "--secret", `harness:engine.tls.${k}`], engine.material[k]);
    }

    await stack.up();
    const out = await stack.outputs();
    assert.equal(out.replaysPassed, true, JSON.stringify(out.replays));
    assert.match(String(out.edgeUrl), new RegExp(`^http://${engine.address.replace(/\./g, "\\.")}:\\d+$`));
    const remote = await engine.docker.listContainers({
      filters: { label: [`${LABEL_STACK}=${stack.label}`] },
    });
    assert.ok(remote.length >= 7, "the stack's containers run on the remote engine");
    assert.deepEqual(await labelled(stack.label), [], "nothing on the local engine");

    // The client key's body: not in the state, the stack file or anything else of the stack.
    const keyBody = engine.material.key
      .split("\n")
      .filter((l) => l && !l.startsWith("-----"))
      .join("");
    const text = allText(dirname(stack.workDir)).replace(/\\n|\s/g, "");
    assert.ok(keyBody.length > 40);
    assert.ok(!text.includes(keyBody), "the client key is stored encrypted only");

    await stack.destroy();
    const left = await engine.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_STACK}=${stack.label}`] },
    });
    assert.deepEqual(left, [], "destroy leaves nothing on the remote engine");
  },
);

test(
  "npm run harness -- --engines: the pool's engine with room runs the stack, and the run records it",
  { timeout: 20 * 60_000 },
  async (t) => {
    // A project as the repository root holds it (state in the project), one replay, no suites.
    const root = join(dir, "project");
    mkdirSync(join(root, ".pulumi"), { recursive: true });
    const project = parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    delete project.main;
    writeFileSync(join(root, "Pulumi.yaml"), stringify(project));
    const name = `t${process.pid}-pool`;
    const config = e2eConfig({ "harness:replays": { include: ["strict-auth*"] }, "harness:suites": [] });
    writeFileSync(join(root, `Pulumi.${name}.yaml`), stringify({ config }));
    // The second engine does not answer (nothing listens on port 1 there): counted out, not fatal.
    const pool = join(dir, "engines.yaml");
    const tls = `tls: {certPath: ${engine.certDir}}`;
    writeFileSync(
      pool,
      [
        "engines:",
        `  - {name: down, host: "tcp://${engine.address}:1", ${tls}}`,
        `  - {name: ns, host: "${engine.host}", ${tls}, maxStacks: 3}`,
      ].join("\n"),
    );
    const label = `harness/${name}`;
    try {
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const tsx = pathToFileURL(require.resolve("tsx")).href;
        const child = spawn(
          process.execPath,
          ["--import", tsx, join(REPO_ROOT, "scripts", "one-shot.ts"), "--stack", name, "--engines", pool],
          {
            cwd: root,
            env: { ...process.env, PATH: "/usr/local/bin:/usr/bin:/bin" },
            stdio: ["ignore", "ignore", "pipe"],
          },
        );
        let stderr = "";
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("close", (code) => resolve({ code, stderr }));
      });
      t.diagnostic(
        run.stderr
          .split("\n")
          .filter((l) => l.startsWith("[harness]"))
          .join("\n"),
      );
      assert.equal(run.code, 0, run.stderr.split("\n").slice(-30).join("\n"));
      assert.match(
        run.stderr,
        new RegExp(`engine pool: ns \\(${engine.host.replace(/\./g, "\\.")}; 0/3 stacks running\\)`),
      );
      const record = JSON.parse(readFileSync(join(reportsDir(REPO_ROOT, name), "harness.json"), "utf8")) as {
        engine?: unknown;
        result: string;
      };
      assert.equal(record.result, "passed");
      assert.deepEqual(record.engine, { name: "ns", host: engine.host });
      assert.deepEqual(
        (parse(readFileSync(join(root, `Pulumi.${name}.yaml`), "utf8")) as { config: unknown }).config,
        config,
        "the stack file's config is not changed (the pick is this up's only)",
      );
      const left = await engine.docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_STACK}=${label}`] },
      });
      assert.deepEqual(left, [], "the run tore the stack down on the engine");
      assert.deepEqual(await labelled(label), [], "and never touched the local one");
    } finally {
      rmSync(reportsDir(REPO_ROOT, name), { recursive: true, force: true });
    }
  },
);
