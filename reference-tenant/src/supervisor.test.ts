import assert from "node:assert/strict";
import { test } from "node:test";
import { childEnvironments, exitCodeOf } from "./supervisor";

test("supervisor: exit codes follow the shell's convention", () => {
  assert.equal(exitCodeOf(0, null), 0);
  assert.equal(exitCodeOf(3, null), 3);
  assert.equal(exitCodeOf(null, "SIGKILL"), 137);
  assert.equal(exitCodeOf(null, "SIGTERM"), 143);
  assert.equal(exitCodeOf(null, null), 1);
});

test("supervisor: CANVAS_PROXY_URL defaults to 127.0.0.1 on the canvas port; explicit values win", () => {
  assert.equal(childEnvironments({}).api.CANVAS_PROXY_URL, "http://127.0.0.1:3000");
  assert.equal(childEnvironments({}).canvas.CANVAS_PORT, "3000");
  assert.equal(childEnvironments({ CANVAS_PORT: "4100" }).api.CANVAS_PROXY_URL, "http://127.0.0.1:4100");
  assert.equal(childEnvironments({ CANVAS_PROXY_URL: "http://x:1" }).api.CANVAS_PROXY_URL, "http://x:1");
});
