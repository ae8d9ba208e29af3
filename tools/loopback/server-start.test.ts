/** Port picking and start failures: a taken port is retried, a dead server's log is quoted. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { freePort, onFreePort } from "./free-port";
import { ExitedBeforeReadyError, startProcess, waitUntil } from "./process";
import { startPostgres } from "./postgres";
import { startRedis } from "./redis";

// One scratch dir for the logs of the processes these tests start, removed when the file ends.
const scratch = mkdtempSync(join(tmpdir(), "harness-proc-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("no port");
      resolve({ server, port: address.port });
    });
  });
}

const inUse = (port: number) =>
  new ExitedBeforeReadyError(`server on ${port}`, 1, "bind: Address already in use\n");

test("freePort never hands the same port out twice in one process", async () => {
  const ports = [];
  for (let i = 0; i < 200; i++) ports.push(await freePort());
  assert.equal(new Set(ports).size, ports.length);
});

test("onFreePort: a port taken before the server bound it is retried on a new port", async () => {
  const tried: number[] = [];
  const result = await onFreePort(undefined, async (port) => {
    tried.push(port);
    if (tried.length === 1) throw inUse(port);
    return `up on ${port}`;
  });
  assert.equal(tried.length, 2);
  assert.notEqual(tried[0], tried[1]);
  assert.equal(result, `up on ${tried[1]}`);
});

test("onFreePort: gives up after three taken ports, and never retries other failures or a fixed port", async () => {
  let calls = 0;
  await assert.rejects(
    onFreePort(undefined, async (port) => {
      calls++;
      throw inUse(port);
    }),
    /Address already in use/,
  );
  assert.equal(calls, 3);

  calls = 0;
  const crash = new ExitedBeforeReadyError("server", 1, "FATAL: bad config\n");
  await assert.rejects(
    onFreePort(undefined, async () => {
      calls++;
      throw crash;
    }),
    (error) => error === crash,
  );
  assert.equal(calls, 1);

  const seen: number[] = [];
  await assert.rejects(
    onFreePort(4321, async (port) => {
      seen.push(port);
      throw inUse(port);
    }),
  );
  assert.deepEqual(seen, [4321]);
});

test("waitUntil: a process that dies is reported at once with its exit code and the end of its log", async () => {
  const logFile = join(scratch, "dies.log");
  const proc = startProcess("sh", ["-c", "echo starting; echo 'FATAL: it broke' >&2; exit 3"], logFile);
  const error = await waitUntil("sh server", async () => false, { process: proc, timeoutMs: 10_000 }).then(
    () => assert.fail("waitUntil resolved"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ExitedBeforeReadyError, String(error));
  assert.equal(error.exitCode, 3);
  assert.match(error.message, /sh server: the process exited \(code 3\) before it became ready/);
  assert.match(error.message, /FATAL: it broke/);
  assert.equal(error.portInUse, false);
});

// A server's last words (postgres's shutdown lines) can arrive after its 'exit' event. Ending the
// log at 'exit' lost them, and stalled the writer on a pipe nobody read any more.
test(
  "output written after the process exits still reaches its log, in full",
  { timeout: 30_000 },
  async () => {
    const logFile = join(scratch, "after-exit.log");
    const script = "(i=1; while [ $i -le 20000 ]; do echo line-$i; i=$((i+1)); done) & exit 0";
    const proc = startProcess("sh", ["-c", script], logFile);
    assert.equal(await proc.exited, 0);
    await eventually(async () => (await proc.logTail(20)).endsWith("line-20000\n"));
    assert.equal(readFileSync(logFile, "utf8").split("\n").filter(Boolean).length, 20_000);
  },
);

async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}

// The test's own timeout is the failure: a waitUntil that trusted the probe would hang here.
test("waitUntil: a probe that never answers still ends at the deadline", { timeout: 10_000 }, async () => {
  await assert.rejects(
    waitUntil("silent server", () => new Promise<boolean>(() => undefined), { timeoutMs: 300 }),
    /silent server: not ready after 300 ms/,
  );
});

const servers: [string, (port: number) => Promise<{ stop(): Promise<void> }>][] = [
  ["redis", (port) => startRedis({ port })],
  ["postgres", (port) => startPostgres({ port })],
];
for (const [name, start] of servers) {
  test(`${name} on a fixed port that is taken fails at once with its own reason, on that port`, async () => {
    const { server, port } = await occupy();
    try {
      const error = await start(port).then(
        (started) => started.stop().then(() => assert.fail(`${name} started on a taken port`)),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ExitedBeforeReadyError, String(error));
      assert.equal(error.portInUse, true, error.message);
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    } finally {
      server.close();
    }
  });
}
