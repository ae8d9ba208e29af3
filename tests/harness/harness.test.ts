/**
 * `npm run harness` (scripts/harness.ts) driven end to end through its control flow against a
 * TEST DOUBLE of the Pulumi CLI (tests/harness/fake-pulumi/pulumi, first on PATH) and a stand-in
 * Docker engine (a unix socket answering /_ping) — no Pulumi, no Docker needed. Each run happens in a
 * scratch project directory (Pulumi.yaml + a stack file), as `npm run harness` runs in the repo root.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";

const REPO = resolve(__dirname, "..", "..");
const FAKE_DIR = join(__dirname, "fake-pulumi");
const TSX = pathToFileURL(require.resolve("tsx")).href;
const scratch = mkdtempSync(join(tmpdir(), "harness-script-"));
const dockerSocket = join(scratch, "docker.sock");
let docker: Server;

before(async () => {
  docker = createServer((req, res) => {
    if (req.url?.endsWith("/_ping")) res.end("OK");
    else if (req.url?.includes("/containers/json")) res.end("[]");
    else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((r) => docker.listen(dockerSocket, r));
});
after(() => {
  docker.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stderr: string;
  calls: { args: string[]; event: string; passphrase?: string; rebuildNonce?: string }[];
  root: string;
}

let counter = 0;
function project(edgePort = 0): string {
  const root = join(scratch, `p${counter++}`);
  mkdirSync(root);
  copyFileSync(join(REPO, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
  writeFileSync(join(root, "Pulumi.harness.yaml"), `config:\n  harness:edge:\n    port: ${edgePort}\n`);
  return root;
}

function harness(
  env: Record<string, string | undefined>,
  opts: { root?: string; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<Run> {
  const root = opts.root ?? project();
  const log = join(root, "pulumi-calls.jsonl");
  writeFileSync(log, "");
  const base: Record<string, string | undefined> = {
    PATH: `${FAKE_DIR}:${process.env.PATH}`,
    HOME: process.env.HOME,
    DOCKER_HOST: `unix://${dockerSocket}`,
    FAKE_PULUMI_LOG: log,
  };
  const child = spawn(process.execPath, ["--import", TSX, join(REPO, "scripts", "harness.ts")], {
    cwd: root,
    env: Object.fromEntries(
      Object.entries({ ...base, ...env }).filter(([, v]) => v !== undefined),
    ) as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
    opts.onStderr?.(stderr, child);
  });
  return new Promise((res) =>
    child.on("close", (code) =>
      res({
        code,
        stderr,
        root,
        calls: readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Run["calls"][number]),
      }),
    ),
  );
}

const commands = (run: Run) =>
  run.calls.filter((c) => c.event === "start").map((c) => c.args.slice(0, 2).join(" "));
const lastLine = (run: Run) => run.stderr.trim().split("\n").at(-1);

describe("npm run harness, against a stand-in pulumi (test double)", () => {
  test("all replays pass: preflight, select, up, outputs, summary, destroy; exit 0", async () => {
    const run = await harness({ FAKE_PULUMI_SCENARIO: "pass" });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(commands(run), [
      "version",
      "stack select",
      "up --stack",
      "stack output",
      "destroy --stack",
    ]);
    const up = run.calls.find((c) => c.args[0] === "up")!;
    assert.deepEqual(up.args, ["up", "--stack", "harness", "--yes", "--skip-preview"]);
    assert.equal(up.passphrase, "harness-local-only", "the documented default passphrase when none is set");
    assert.equal(up.rebuildNonce, undefined);
    assert.match(run.stderr, /PASS {2}buildinfo-stale-image \(#2395\)/);
    assert.equal(lastLine(run), "2 passed, 0 failed, 0 skipped");
    const record = JSON.parse(readFileSync(join(run.root, ".harness/reports/harness/harness.json"), "utf8"));
    assert.equal(record.result, "passed");
    assert.equal(record.reports.junit, "/tmp/fake/junit.xml", "the runner's JUnit, from the outputs");
  });

  test("a replay fails: exit 1, the summary says which, the stack is still destroyed", async () => {
    const run = await harness({ FAKE_PULUMI_SCENARIO: "replay-fail" });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /FAIL {2}buildinfo-stale-image .* — tenant alpha reports GIT_SHA dev/);
    assert.ok(commands(run).includes("destroy --stack"));
    assert.equal(lastLine(run), "1 passed, 1 failed, 0 skipped");
  });

  test("pulumi up fails: exit 2, destroy still runs, a JUnit failure and a step summary say why", async () => {
    const summary = join(scratch, "step-summary.md");
    const run = await harness({ FAKE_PULUMI_SCENARIO: "up-fail", GITHUB_STEP_SUMMARY: summary });
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(commands(run), ["version", "stack select", "up --stack", "destroy --stack"]);
    const junit = readFileSync(join(run.root, ".harness/reports/harness/junit.xml"), "utf8");
    assert.match(junit, /<testcase classname="harness" name="pulumi up">/);
    assert.match(junit, /failures="1"/);
    assert.match(junit, /failed to be in healthy state in time/, "the tail of pulumi's output");
    assert.match(readFileSync(summary, "utf8"), /the harness itself failed/);
  });

  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    test(`${signal} during pulumi up: forwarded to pulumi, then destroy still runs; exit ${code}`, async () => {
      let sent = false;
      const run = await harness(
        { FAKE_PULUMI_SCENARIO: "hang" },
        {
          onStderr: (text, child) => {
            if (!sent && text.includes("up: waiting")) {
              sent = true;
              child.kill(signal);
            }
          },
        },
      );
      assert.equal(run.code, code, run.stderr);
      const events = run.calls.map((c) => (c.event === "start" ? c.args.slice(0, 2).join(" ") : c.event));
      assert.deepEqual(events, [
        "version",
        "stack select",
        "up --stack",
        `signal ${signal}`,
        "destroy --stack",
      ]);
      assert.match(
        readFileSync(join(run.root, ".harness/reports/harness/junit.xml"), "utf8"),
        new RegExp(`interrupted by ${signal}`),
      );
    });
  }

  test("KEEP_UP=1: no destroy, and it says how to tear down", async () => {
    const run = await harness({ FAKE_PULUMI_SCENARIO: "pass", KEEP_UP: "1" });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!commands(run).includes("destroy --stack"));
    assert.match(run.stderr, /tear down: pulumi destroy --stack harness --yes/);
  });

  test("REBUILD=1 sets the rebuild nonce; a passphrase the user set is kept; HARNESS_STACK picks the stack", async () => {
    const run = await harness({ REBUILD: "1", PULUMI_CONFIG_PASSPHRASE: "mine", HARNESS_STACK: "ci-42" });
    assert.equal(run.code, 0, run.stderr);
    const up = run.calls.find((c) => c.args[0] === "up")!;
    assert.match(up.rebuildNonce ?? "", /^\d+$/);
    assert.equal(up.passphrase, "mine");
    assert.deepEqual(up.args.slice(0, 3), ["up", "--stack", "ci-42"]);
  });

  test("destroy fails: exit 2 even though every replay passed", async () => {
    const run = await harness({ FAKE_PULUMI_SCENARIO: "destroy-fail" });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /pulumi destroy` failed .* run `pulumi destroy --stack harness --yes` again/);
  });

  test("preflight: every problem at once, each with its fix, and nothing is started", async () => {
    const busy = createTcpServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const run = await harness(
        { FAKE_PULUMI_VERSION: "v3.100.0", DOCKER_HOST: `unix://${join(scratch, "no-docker.sock")}` },
        { root: project(port) },
      );
      assert.equal(run.code, 2, run.stderr);
      assert.deepEqual(commands(run), ["version"], "only `pulumi version` ran");
      assert.match(
        run.stderr,
        /Pulumi CLI v3\.100\.0 is not supported .* ≥ 3\.121\.0\)\n\s+fix: upgrade it: `pulumi self-update`/,
      );
      assert.match(run.stderr, /Docker engine .* is not reachable[\s\S]*fix: start the Docker engine/);
      assert.match(
        run.stderr,
        new RegExp(`edge port 127\\.0\\.0\\.1:${port} .* already in use\\n\\s+fix: free it`),
      );
      assert.match(run.stderr, /3 problem\(s\): nothing was started/);
      assert.ok(!existsSync(join(run.root, ".harness")), "no report: nothing ran");
    } finally {
      busy.close();
    }
  });

  test("preflight: no pulumi on PATH says how to install it", async () => {
    const run = await harness({ PATH: "/usr/bin:/bin" });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /the Pulumi CLI \(`pulumi`\) is not on PATH\n\s+fix: install the Pulumi CLI/);
  });
});
