import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { test } from "node:test";

const REPO = resolve(__dirname, "..");

test("npm run e2e without a reachable Docker engine FAILS (exit 2) and says how to start one — it never skips", () => {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "e2e", "cli.ts"), "test"], {
    cwd: REPO,
    env: { ...process.env, DOCKER_HOST: "unix:///nonexistent/docker.sock", KEEP_UP: "" },
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /the e2e tier needs Docker and does not skip without it/);
  assert.match(run.stderr, /unix:\/\/\/nonexistent\/docker\.sock is not reachable/);
  assert.match(run.stderr, /start the Docker engine .*dockerd/);
});
