/**
 * The real engine's state tracking, step by step on one stack (steps a–f and h of the pulumi tier,
 * plus F9, objects removed out of band): preview creates nothing; `up` boots, seeds and passes every replay with the
 * CI contract in the outputs; a second `up` changes nothing; an edited replay re-runs only the
 * replays; an edge setting replaces only the edge (and re-runs the replays, which test it); a new
 * gitSha rebuilds the tenant image and replaces exactly what runs it; a container and image removed
 * by hand come back with `up --refresh`; destroy leaves nothing. Each step asserts on the engine's
 * own steps. Between b and c, and after h: `npm run replays|seed -- --stack` against the kept stack
 * (its outputs read by the engine), then against the destroyed one.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { request } from "undici";
import { LABEL_ROLE, LABEL_STACK } from "../../program/lib/naming";
import {
  changes,
  copyReplays,
  docker,
  e2eConfig,
  labelled,
  named,
  PASSPHRASE,
  REPO_ROOT,
  testStack,
  type TestStack,
} from "./test-support";

const TIMEOUT = { timeout: 15 * 60_000 };
const TSX = pathToFileURL(require.resolve("tsx")).href;

/** `npm run replays|seed -- <args>` as a user runs it where the stack's files are (its work dir). */
function replaysCli(
  s: TestStack,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", TSX, join(REPO_ROOT, "scripts", "replays.ts"), ...args],
      {
        cwd: s.workDir,
        // scripts/pulumi/scratch.ts: the stack's file backend is beside its work dir.
        env: {
          ...process.env,
          PULUMI_BACKEND_URL: `file://${join(dirname(s.workDir), "state")}`,
          PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A copy of tests/examples/ beside the replays copy (git-ignored `.engine-test-*`) and the e2e stack's
 * `harness:suites` pointed at it.
 */
function copySuites(): {
  dir: string;
  config: { name: string; cwd: string; [key: string]: unknown }[];
  dispose: () => void;
} {
  const name = `.engine-test-suites-${process.pid}`;
  const dir = join(REPO_ROOT, name);
  cpSync(join(REPO_ROOT, "tests", "examples"), dir, { recursive: true });
  const config = (e2eConfig()["harness:suites"] as { name: string; cwd: string }[]).map((suite) => ({
    ...suite,
    cwd: suite.cwd.replace(/^tests\/examples\//, `${name}/`),
  }));
  return { dir, config, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("one stack through its life on the real engine", { concurrency: false }, () => {
  let s: TestStack;
  const replays = copyReplays();
  // The e2e stack's example suites, from a copy step d2 may edit (tests/examples/ stays as committed).
  const suites = copySuites();
  const config: Record<string, unknown> = {
    "harness:replays": { dir: replays.dir.split("/").pop() },
    "harness:suites": suites.config,
  };

  before(async () => {
    s = await testStack("life", config);
  });
  after(async () => {
    const left = await labelled(s.label);
    if (left.length > 0) await s.destroy().catch(() => undefined);
    await s.dispose();
    replays.dispose();
    suites.dispose();
    assert.deepEqual(left, [], "the test left Docker objects labelled for its stack (destroyed now)");
  });

  test("a. preview on a new stack plans everything and creates nothing", TIMEOUT, async () => {
    const preview = await s.preview();
    const planned = named(preview.steps, "create");
    for (const r of [
      "network-bridge",
      "tenant-alpha-container",
      "tenant-image-image",
      "cf-proxy-container",
    ]) {
      assert.ok(planned.includes(r), `the plan creates ${r}: ${planned.join(", ")}`);
    }
    assert.deepEqual(
      changes(preview.steps).filter((c) => !c.startsWith("create ")),
      [],
      "only creates",
    );
    assert.deepEqual(await labelled(s.label), [], "no container, network or image exists after a preview");
    const images = await docker.listImages({ filters: { reference: [`harness-${s.name}/*`] } });
    assert.deepEqual(images, [], "no image was built");
  });

  test("b. up boots, seeds and passes every replay; the outputs are the CI contract", TIMEOUT, async (t) => {
    const up = await s.up();
    assert.ok(named(up.steps, "create").includes("replays-command"));
    const out = await s.outputs();
    const summary = out.replays as {
      total: number;
      failed: number;
      results: { name: string; status: string; kind?: string; cases?: { name: string; status: string }[] }[];
      reports: { junit: string };
    };
    const expected = readdirSync(replays.dir).filter((f) => /\.(ts|sh)$/.test(f)).length;
    assert.equal(summary.total, expected + suites.config.length, "every replay ran, then every suite");
    assert.deepEqual(
      summary.results.filter((r) => r.status !== "PASS"),
      [],
      "every replay and suite passed",
    );
    // The suites (harness:suites) ran after the replays; the pytest one's JUnit cases are in junit.xml.
    assert.deepEqual(
      summary.results.filter((r) => r.kind === "suite").map((r) => r.name),
      suites.config.map((c) => c.name),
    );
    const pytest = summary.results.find((r) => r.name === "api-pytest");
    assert.ok((pytest?.cases ?? []).length >= 8, "the pytest suite's cases are in the summary");
    assert.deepEqual(
      out.suites,
      suites.config.map((c) => ({ timeoutSeconds: 600, ...c })),
    );
    const junit = readFileSync(summary.reports.junit, "utf8");
    assert.match(junit, /<testsuite name="suite api-pytest" tests="\d+" failures="0"/);
    for (const c of pytest?.cases ?? []) {
      assert.ok(junit.includes(`<testcase name="${c.name}" classname="test_api"`), `${c.name} in junit.xml`);
    }
    t.diagnostic(
      `suites: ${summary.results
        .filter((r) => r.kind === "suite")
        .map((r) => `${r.status} ${r.name} (${r.cases?.length ?? 0} cases)`)
        .join(", ")}`,
    );
    assert.equal(out.replaysPassed, true);
    t.diagnostic(`replays: ${summary.results.map((r) => `${r.status} ${r.name}`).join(", ")}`);

    for (const key of [
      "edgeUrl",
      "legacyHost",
      "tenants",
      "cpStubUrl",
      "adminTokens",
      "seed",
      "replays",
      "replaysPassed",
      "reports",
      "suites",
      "containers",
    ]) {
      assert.ok(key in out, `output ${key}`);
    }
    const secret = await s.secretOutputs();
    assert.ok(secret.includes("adminTokens"), "adminTokens is a secret output");
    assert.ok(
      !secret.includes("replays") && !secret.includes("seed"),
      "the replay summary and seed ids are not",
    );
    const edgeUrl = String(out.edgeUrl);
    assert.match(edgeUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(String(out.cpStubUrl), /^http:\/\/127\.0\.0\.1:\d+$/);
    const tenants = out.tenants as Record<string, { host: string; databaseUrl: string }>;
    assert.deepEqual(Object.keys(tenants).sort(), ["alpha", "beta"]);
    assert.match(tenants.alpha.databaseUrl, /^postgres:\/\/harness:[^@]+@127\.0\.0\.1:\d+\/molecule/);
    const seed = out.seed as { tenants: Record<string, { parent: string; child: string }> };
    assert.ok(seed.tenants.alpha.parent && seed.tenants.beta.child, "the seeded ids");

    for (const host of [
      "harness-tenant-alpha.localhost",
      "harness-tenant-beta.localhost",
      "harness-tenant.localhost",
    ]) {
      const res = await request(`${edgeUrl}/health`, { headers: { host } });
      await res.body.dump();
      assert.equal(res.statusCode, 200, `GET /health with Host ${host}`);
    }
    const unknown = await request(`${edgeUrl}/health`, { headers: { host: "nobody.localhost" } });
    await unknown.body.dump();
    assert.equal(unknown.statusCode, 421, "an unknown Host is refused at the edge");

    const containers = await docker.listContainers({ filters: { label: [`${LABEL_STACK}=${s.label}`] } });
    assert.equal(containers.length, 8, "redis, cp-stub, 2 × (postgres, tenant), cf-proxy, sinkhole");
    for (const c of containers) {
      assert.ok(c.Labels[LABEL_ROLE], `${c.Names[0]} carries ${LABEL_ROLE}`);
      for (const p of c.Ports.filter((port) => port.PublicPort)) {
        assert.equal(p.IP, "127.0.0.1", `${c.Names[0]} publishes on loopback only`);
      }
    }
  });

  test(
    "b2. npm run replays|seed -- --stack run against the kept stack, from its outputs; the up's reports stay",
    TIMEOUT,
    async (t) => {
      const out = await s.outputs();
      assert.ok((await s.secretOutputs()).includes("target"), "the target output is secret");
      const upReports = out.reports as { json: string };
      const upResults = readFileSync(upReports.json, "utf8");

      const run = await replaysCli(s, ["run", "--stack", s.name, "--include", "peer-discovery-404"]);
      t.diagnostic(run.stderr.trim().split("\n").slice(-4).join("\n"));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr.trim().split("\n").at(-1), "1 passed, 0 failed, 0 skipped");
      const kept = join(dirname(upReports.json), "kept");
      assert.match(run.stderr, new RegExp(`reports in .*${s.name}/kept/`), "the reports path is printed");
      const results = JSON.parse(readFileSync(join(kept, "results.json"), "utf8")) as {
        results: { name: string; status: string }[];
      };
      assert.deepEqual(
        results.results.map((r) => `${r.status} ${r.name}`),
        ["PASS peer-discovery-404"],
      );
      assert.equal(
        readFileSync(upReports.json, "utf8"),
        upResults,
        "the up's own reports are not overwritten",
      );
      const tokens = Object.values(out.adminTokens as Record<string, string>);
      assert.ok(
        tokens.every((token) => !run.stderr.includes(token) && !run.stdout.includes(token)),
        "no admin token is printed",
      );

      const seed = await replaysCli(s, ["seed", "--stack", s.name]);
      assert.equal(seed.code, 0, seed.stderr);
      assert.deepEqual(JSON.parse(seed.stdout), out.seed, "the re-seed reuses the seeded workspaces");
      assert.match(seed.stderr, /reusing alpha-parent/);
    },
  );

  test("c. a second up with --expect-no-changes changes nothing", TIMEOUT, async () => {
    const up = await s.up({ expectNoChanges: true });
    assert.deepEqual(changes(up.steps), []);
  });

  test("d. editing a replay re-runs only the replays Command", TIMEOUT, async () => {
    appendFileSync(join(replays.dir, "peer-discovery-404.ts"), "\n// edited by the pulumi tier\n");
    const up = await s.up();
    assert.deepEqual(named(up.steps, "replace"), ["replays-command"]);
    assert.deepEqual(
      changes(up.steps).filter((c) => !c.endsWith(" replays-command")),
      [],
      "nothing else changed",
    );
    assert.equal((await s.outputs()).replaysPassed, true);
  });

  test(
    "d2. editing a suite re-runs only the replays Command (the suite with the replays)",
    TIMEOUT,
    async () => {
      appendFileSync(join(suites.dir, "bash-api", "test_api.sh"), "\n# edited by the pulumi tier\n");
      const up = await s.up();
      assert.deepEqual(named(up.steps, "replace"), ["replays-command"]);
      assert.deepEqual(
        changes(up.steps).filter((c) => !c.endsWith(" replays-command")),
        [],
        "nothing else changed",
      );
      const out = await s.outputs();
      assert.equal(out.replaysPassed, true);
      const bash = (out.replays as { results: { name: string; status: string }[] }).results.find(
        (r) => r.name === "api-bash",
      );
      assert.equal(bash?.status, "PASS", "the edited suite ran again");
    },
  );

  test(
    "e. an edge setting replaces only the edge container (the replays, which test it, re-run)",
    TIMEOUT,
    async () => {
      const before = await s.outputs();
      s.setConfig({ ...config, "harness:edge": { port: 0, readTimeoutSeconds: 90 } });
      const up = await s.up();
      assert.deepEqual(named(up.steps, "replace"), ["cf-proxy-container", "replays-command"]);
      assert.deepEqual(
        changes(up.steps).filter((c) => !/ (cf-proxy-container|replays-command)$/.test(c)),
        [],
        "no other resource changed: not the seed, not the tenants",
      );
      const after = await s.outputs();
      assert.equal(after.edgeUrl, before.edgeUrl, "the replaced edge keeps the stack's port");
      assert.deepEqual(after.seed, before.seed, "the seed did not re-run");
      assert.equal(after.replaysPassed, true);
    },
  );

  test(
    "f. a new gitSha rebuilds the tenant image and replaces the tenants, the seed and the replays; nothing else",
    TIMEOUT,
    async () => {
      s.setConfig({
        ...config,
        "harness:edge": { port: 0, readTimeoutSeconds: 90 },
        "harness:gitSha": "f00dcafe",
      });
      const up = await s.up();
      assert.deepEqual(named(up.steps, "replace"), [
        "replays-command",
        "seed-command",
        "sinkhole-isolate-alpha",
        "sinkhole-isolate-beta",
        "tenant-alpha-container",
        "tenant-beta-container",
        "tenant-image-image",
      ]);
      assert.deepEqual(
        changes(up.steps).filter(
          (c) =>
            !/ (replays-command|seed-command|sinkhole-isolate-(alpha|beta)|tenant-(alpha|beta)-container|tenant-image-image)$/.test(
              c,
            ),
        ),
        [],
        "the edge, postgres, redis, the cp-stub and their images are untouched",
      );
      const out = await s.outputs();
      assert.equal(out.replaysPassed, true, "buildinfo-stale-image sees the new GIT_SHA on every tenant");
    },
  );

  test(
    "F9. a container and its image removed by hand are recreated by up --refresh; a plain up would not see it",
    TIMEOUT,
    async () => {
      const [image] = await docker.listImages({ filters: { reference: [`harness-${s.name}/tenant`] } });
      assert.ok(image?.RepoTags?.[0], "the tenant image exists");
      const alpha = docker.getContainer(`${s.name}-tenant-alpha`);
      await alpha.remove({ force: true });
      // The other tenant still runs the image: only the tag can go (what `docker rmi -f <tag>` does).
      await docker.getImage(image.RepoTags[0]).remove({ force: true });

      const plain = await s.preview();
      assert.deepEqual(changes(plain.steps), [], "without a refresh the engine believes its state");

      const up = await s.up({ refresh: true });
      const recreated = named(up.steps, "create");
      assert.ok(
        recreated.includes("tenant-image-image"),
        `the image is rebuilt: ${changes(up.steps).join(", ")}`,
      );
      assert.ok(recreated.includes("tenant-alpha-container"), "the removed tenant is recreated");
      assert.ok(
        (await docker.listImages({ filters: { reference: [`harness-${s.name}/tenant`] } })).length === 1,
      );
      assert.equal((await s.outputs()).replaysPassed, true);
    },
  );

  test("h. destroy leaves nothing labelled for the stack", TIMEOUT, async () => {
    const destroy = await s.destroy();
    assert.ok(named(destroy.steps, "delete").includes("network-bridge"));
    assert.deepEqual(await labelled(s.label), []);
    const images = await docker.listImages({ filters: { reference: [`harness-${s.name}/*`] } });
    assert.deepEqual(images, [], "the built images are removed too");
  });

  test(
    "h2. npm run replays -- --stack on the destroyed stack: one line saying what to run; exit 2",
    TIMEOUT,
    async () => {
      const run = await replaysCli(s, ["run", "--stack", s.name, "--include", "peer-discovery-404"]);
      assert.equal(run.code, 2);
      assert.equal(
        run.stderr,
        `[replays] stack ${s.name} is not up (it has no outputs: destroyed, or never up): run \`KEEP_UP=1 npm run harness -- --stack ${s.name}\`\n`,
      );
    },
  );
});
