/**
 * The health gate (containerReady) in an `up` under plain setMocks, against a fake engine: a few
 * lines of HTTP on a unix socket answering Docker's inspect and logs calls (no Docker). It asks the
 * engine it is given, for the container's id; it waits while the container is starting and resolves
 * to the container once healthy; an exited container fails the `up` at once with its last probes,
 * its last log lines and the `pulumi up --replace` that recreates it. (The preview side — resolving
 * without asking any engine — is in container.test.ts.)
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { containerReady } from "./ready";
import { recordDeclarations, valueOf } from "./test-support/declare";

// One recorder per file, in `up` mode: the gate asks the engine only then.
const recording = recordDeclarations({ preview: false });

const dir = mkdtempSync(join(tmpdir(), "ready-test-"));
const socket = join(dir, "docker.sock");
const engine = { host: `unix://${socket}` };
/** Every path the fake engine was asked for. */
const asked: string[] = [];
let server: Server;

/** A multiplexed log frame, as Docker sends a non-TTY container's output. */
function frame(stream: 1 | 2, text: string): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, Buffer.from(text)]);
}

function inspect(id: string, polls: number): object {
  if (id === "slow-container-id" && polls < 3)
    return { State: { Running: true, Health: { Status: "starting", Log: [] } } };
  if (id === "broken-container-id")
    return {
      State: {
        Running: false,
        ExitCode: 3,
        Health: { Status: "starting", Log: [{ ExitCode: 1, Output: "connection refused on 9090" }] },
      },
    };
  return { State: { Running: true, Health: { Status: "healthy", Log: [] } } };
}

before(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    asked.push(path);
    const m = /^\/containers\/([^/]+)\/(json|logs)$/.exec(path);
    if (!m) {
      res.writeHead(404, { "Content-Type": "application/json" }).end('{"message":"no such path"}');
    } else if (m[2] === "json") {
      const polls = asked.filter((p) => p === path).length;
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(inspect(m[1], polls)));
    } else {
      res
        .writeHead(200, { "Content-Type": "application/vnd.docker.multiplexed-stream" })
        .end(Buffer.concat([frame(1, "listening soon\n"), frame(2, "fatal: CP_UPSTREAM_URL is not set\n")]));
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** What an `up` would fail with: the gate's rejection (reported as unhandled, as in a real program). */
async function failureOf(output: pulumi.Output<unknown>): Promise<unknown> {
  const saved = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const reasons: unknown[] = [];
  process.on("unhandledRejection", (reason) => reasons.push(reason));
  const timers: NodeJS.Timeout[] = [];
  try {
    return await new Promise((resolve, reject) => {
      output.apply((value) => reject(new Error(`the gate passed: ${String(value)}`)));
      const poll = setInterval(() => {
        if (reasons.length === 0) return;
        clearInterval(poll);
        // Let the rejections derived from it (isKnown, isSecret, …) be reported too.
        timers.push(setTimeout(() => resolve(reasons[0]), 100));
      }, 20);
      timers.push(
        poll,
        setTimeout(() => reject(new Error("the gate neither passed nor failed")), 10000),
      );
    });
  } finally {
    for (const timer of timers) clearTimeout(timer);
    process.removeAllListeners("unhandledRejection");
    for (const listener of saved) process.on("unhandledRejection", listener);
  }
}

test("health gate (up): asks the given engine for the container's id, resolves to it once healthy", async () => {
  await recording;
  const container = new docker.Container("healthy-container", { image: "sha256:x" });
  const ready = containerReady(container, "ci-7-healthy", 5, engine);
  assert.equal(await valueOf(ready), container);
  assert.ok(asked.includes("/containers/healthy-container-id/json"), `asked: ${asked.join(", ")}`);
});

test("health gate (up): waits while the container is starting", async () => {
  await recording;
  const container = new docker.Container("slow-container", { image: "sha256:x" });
  assert.equal(await valueOf(containerReady(container, "ci-7-slow", 5, engine)), container);
  const polls = asked.filter((p) => p === "/containers/slow-container-id/json").length;
  assert.equal(polls, 3, "polled until healthy, then stopped");
});

test("health gate (up): an exited container fails at once, with its probes, its logs and the replace command", async () => {
  await recording;
  const container = new docker.Container("broken-container", { image: "sha256:x" });
  const started = Date.now();
  const error = await failureOf(containerReady(container, "ci-7-broken", 60, engine));
  assert.ok(Date.now() - started < 5000, "not after the whole timeout");
  assert.ok(error instanceof pulumi.RunError, `a RunError (no stack trace for the user): ${String(error)}`);
  const message = (error as Error).message;
  assert.match(message, /container ci-7-broken exited \(code 3\) before it became healthy/);
  assert.match(message, /connection refused on 9090/, "its last health probe");
  assert.match(message, /fatal: CP_UPSTREAM_URL is not set/, "its last log lines, stderr too");
  assert.match(
    message,
    /pulumi up --replace 'urn:pulumi:ci-7::harness::docker:index\/container:Container::broken-container'/,
  );
  assert.ok(asked.includes("/containers/broken-container-id/logs"));
});
