import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { imageRole } from "./docker-objects";
import { changedSteps, errorDiagnostics, upPhases, type TimedEvent } from "./phases";

const URN = (name: string) => `urn:pulumi:bench::harness::harness:index:X$command:local:Command::${name}`;
const meta = (name: string, op: OpType) => ({
  op,
  urn: URN(name),
  type: "command:local:Command",
  provider: "",
});
const pre = (atMs: number, name: string, op: OpType = "create"): TimedEvent => ({
  atMs,
  event: { sequence: 0, timestamp: 0, resourcePreEvent: { metadata: meta(name, op) } } as EngineEvent,
});
const outs = (atMs: number, name: string, op: OpType = "create"): TimedEvent => ({
  atMs,
  event: { sequence: 0, timestamp: 0, resOutputsEvent: { metadata: meta(name, op) } } as EngineEvent,
});

test("phases: boot ends when the seed starts; seed and suite run from their step to their outputs", () => {
  const events = [
    pre(100, "redis-container"),
    outs(900, "redis-container"),
    pre(20_000.4, "seed-command"),
    outs(23_000, "seed-command"),
    pre(23_100, "replays-command"),
    outs(40_100, "replays-command"),
  ];
  assert.deepEqual(upPhases(events, 41_000.6), {
    bootToHealthyMs: 20_000,
    seedMs: 3000,
    replaysMs: 17_000,
    upMs: 41_001,
  });
});

test("phases: a step that did not run or did not finish measures nothing", () => {
  const events = [
    pre(5, "seed-command", "same"),
    outs(6, "seed-command", "same"),
    pre(10, "replays-command"),
  ];
  assert.deepEqual(upPhases(events, undefined), {
    bootToHealthyMs: undefined,
    seedMs: undefined,
    replaysMs: undefined,
    upMs: undefined,
  });
});

test("error diagnostics: one line each, markup stripped, duplicates dropped", () => {
  const diag = (message: string, severity: "error" | "warning" = "error"): TimedEvent => ({
    atMs: 0,
    event: {
      sequence: 0,
      timestamp: 0,
      diagnosticEvent: { urn: URN("seed-command"), message, color: "raw", severity },
    },
  });
  assert.deepEqual(
    errorDiagnostics([
      diag("<{%reset%}>exit status 2\n  seed failed<{%reset%}>\n"),
      diag("noise", "warning"),
      diag("exit status 2 seed failed"),
    ]),
    ["seed-command: exit status 2 seed failed"],
  );
});

test("image names in the JSON: the role, without the stack's repository prefix and the tag", () => {
  assert.equal(imageRole("harness-bench-1a2b3c/cf-proxy:0123456789ab"), "cf-proxy");
  assert.equal(imageRole("harness-bench-1a2b3c/tenant:local"), "tenant");
});

test("phases: the steps of an unchanged up that changed something", () => {
  const changed = pre(2, "seed-command", "update");
  changed.event.resourcePreEvent!.metadata.diffs = ["triggers"];
  assert.deepEqual(changedSteps([pre(1, "redis-container", "same"), changed, pre(3, "x", "replace")]), [
    "update seed-command (triggers)",
    "replace x",
  ]);
  assert.deepEqual(changedSteps([pre(1, "redis-container", "same")]), []);
});
