import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { describe, test } from "node:test";
import { freePortCommand } from "./docker";

/** Runs a command line as the command provider does: `/bin/sh -c`. */
function sh(commandLine: string): string {
  return execFileSync("/bin/sh", ["-c", commandLine], { encoding: "utf8", timeout: 30_000 });
}

/** Resolves when `port` can be listened on at `host`, rejects when it cannot. */
function bind(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

describe("freePortCommand", () => {
  for (const host of ["127.0.0.1", "0.0.0.0"]) {
    test(`prints a port that is free on ${host}, and nothing else`, async () => {
      const stdout = sh(freePortCommand(host));
      assert.match(stdout, /^\d+$/, "only the digits: no newline, no log");
      const port = Number(stdout);
      assert.ok(port >= 1024 && port <= 65535, `${port} is an unprivileged port`);
      await bind(port, host);
    });
  }

  test("the host reaches node intact, as one shell word and one JS string, whatever it contains", () => {
    const host = `127.0.0.1'"; echo pwned`;
    const run = spawnSync("/bin/sh", ["-c", freePortCommand(host)], { encoding: "utf8", timeout: 30_000 });
    assert.notEqual(run.status, 0, "no one can listen on that host");
    assert.equal(run.stdout, "", "no port printed, nothing echoed");
    assert.ok(run.stderr.includes(`ENOTFOUND ${host}`), run.stderr);
  });
});
