import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { containerEvent, type ContainerEvent } from "./docker-events";
import type { TimedEvent } from "./phases";
import { containerSpans, formatTimeline, replaySpans, REPLAY_TIMES, type Timeline } from "./timeline";

const T0 = 1_700_000_000_000;
const ev = (atMs: number, action: string, name: string): ContainerEvent => ({
  at: T0 + atMs,
  action,
  name,
  labels: {},
});
const URN = (name: string) => `urn:pulumi:bench::harness::harness:index:X$command:local:Command::${name}`;
const diag = (atMs: number, name: string, message: string): TimedEvent => ({
  atMs,
  event: {
    sequence: 0,
    timestamp: 0,
    diagnosticEvent: { urn: URN(name), message, color: "never", severity: "info" },
  } as EngineEvent,
});
const pre = (atMs: number, name: string): TimedEvent => ({
  atMs,
  event: {
    sequence: 0,
    timestamp: 0,
    resourcePreEvent: {
      metadata: { op: "create", urn: URN(name), type: "command:local:Command", provider: "" },
    },
  } as EngineEvent,
});

test("docker events: a container event keeps its nanosecond time, name and labels", () => {
  const e = containerEvent({
    Type: "container",
    Action: "health_status: healthy",
    timeNano: 1_700_000_000_123.5 * 1e6,
    Actor: {
      ID: "x",
      Attributes: { name: "bench-1-redis", image: "redis", "harness.stack": "harness/bench-1" },
    },
  });
  assert.deepEqual(e, {
    at: 1_700_000_000_123.5,
    action: "health_status: healthy",
    name: "bench-1-redis",
    labels: { "harness.stack": "harness/bench-1" },
  });
  assert.equal(containerEvent({ Type: "network", Action: "create" }), undefined);
});

test("timeline: one row per container, created, started and healthy, in start order", () => {
  const rows = containerSpans(
    [
      ev(900, "start", "b-tenant"),
      ev(100, "create", "b-redis"),
      ev(200, "start", "b-redis"),
      ev(1200.6, "health_status: healthy", "b-redis"),
      ev(800, "create", "b-tenant"),
      ev(5000, "health_status: unhealthy", "b-tenant"),
      ev(6000, "die", "b-tenant"),
    ],
    T0,
    (e) => e.name.slice(2),
  );
  assert.deepEqual(rows, [
    { name: "redis", createdMs: 100, startedMs: 200, healthyMs: 1201 },
    { name: "tenant", createdMs: 800, startedMs: 900, unhealthyMs: 5000, diedMs: 6000 },
  ]);
});

const results = [
  { name: "a", status: "PASS", durationMs: 500 },
  { name: "b", status: "FAIL", durationMs: 700 },
];

test("replays: the runner's startedAt when every result has one", () => {
  const r = replaySpans(
    [],
    results.map((x, i) => ({ ...x, startedAt: i === 0 ? T0 + 1000 : new Date(T0 + 1500).toISOString() })),
    T0,
  );
  assert.equal(r.from, REPLAY_TIMES.startedAt);
  assert.deepEqual(
    r.replays.map((s) => [s.name, s.startMs, s.endMs]),
    [
      ["a", 1000, 1500],
      ["b", 1500, 2200],
    ],
  );
});

test("replays: else the progress lines (header → result), start = end - duration without a header", () => {
  const events = [
    pre(10_000, "replays-command"),
    diag(11_000, "replays-command", "[runner] ━━━ a ━━━\n"),
    diag(11_600, "replays-command", "[runner] PASS: a (0.5s)\n"),
    diag(12_400, "replays-command", "[runner] FAIL: b — broken (0.7s)\n"),
    diag(12_500, "seed-command", "[runner] ━━━ b ━━━\n"),
  ];
  const r = replaySpans(events, results, T0);
  assert.equal(r.from, REPLAY_TIMES.progress);
  assert.deepEqual(
    r.replays.map((s) => [s.name, s.startMs, s.endMs, s.status]),
    [
      ["a", 11_000, 11_600, "PASS"],
      ["b", 11_700, 12_400, "FAIL"],
    ],
  );
});

test("replays: else derived from the Command's start and the cumulative durations, and said so", () => {
  const r = replaySpans([pre(10_000, "replays-command")], results, T0);
  assert.equal(r.from, REPLAY_TIMES.cumulative);
  assert.deepEqual(
    r.replays.map((s) => [s.startMs, s.endMs]),
    [
      [10_000, 10_500],
      [10_500, 11_200],
    ],
  );
  assert.deepEqual(replaySpans([], [], T0), { replays: [], from: null });
});

test("timeline: printed one row per container, step, replay and mark", () => {
  const t: Timeline = {
    path: "pulumi",
    run: 2,
    startedAt: new Date(T0).toISOString(),
    origin: "`up` was called",
    containers: [{ name: "redis", createdMs: 100, startedMs: 200, healthyMs: 1201 }],
    steps: [{ name: "seed", startMs: 3000, endMs: 3500 }],
    replays: [{ name: "a", status: "PASS", startMs: 4000, endMs: 4500 }],
    replayTimesFrom: REPLAY_TIMES.progress,
    marks: [{ name: "up returned", atMs: 5000 }],
  };
  const lines = formatTimeline(t);
  assert.match(lines[0], /path pulumi, run 2/);
  assert.match(lines[1], /container redis +created +100 +started +200 +healthy +1,201/);
  assert.match(lines[2], /seed +3,000 → +3,500 +\(500\)/);
  assert.match(lines[3], /replay a +4,000 → +4,500 +\(500\) +PASS/);
  assert.match(lines.at(-1)!, /up returned +5,000/);
});
