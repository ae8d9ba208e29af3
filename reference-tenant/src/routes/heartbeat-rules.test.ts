import assert from "node:assert/strict";
import { test } from "node:test";
import { nextHeartbeatStatus, parseHeartbeat } from "./heartbeat-rules";

test("heartbeat transitions: docs/anchor.md#registry", () => {
  const rows: [string, number, string, string][] = [
    ["online", 0, "", "online"],
    ["online", 0.49, "", "online"],
    ["online", 0.5, "", "degraded"],
    ["online", 0.8, "", "degraded"],
    ["online", 0, "wedged", "degraded"],
    ["degraded", 0.3, "", "degraded"],
    ["degraded", 0.1, "", "degraded"],
    ["degraded", 0.09, "", "online"],
    ["degraded", 0, "wedged", "degraded"],
    ["offline", 0, "", "online"],
    ["provisioning", 0, "", "online"],
    ["failed", 0, "", "failed"],
    ["paused", 0, "", "paused"],
    ["hibernated", 0, "", "hibernated"],
  ];
  for (const [from, errorRate, runtimeState, to] of rows) {
    assert.equal(
      nextHeartbeatStatus(from, { errorRate, runtimeState }),
      to,
      `${from} @${errorRate} ${runtimeState}`,
    );
  }
});

test("heartbeat body: workspace_id required, zero values for the rest, wrong types rejected", () => {
  assert.equal(parseHeartbeat(null), null);
  assert.equal(parseHeartbeat({}), null);
  assert.equal(parseHeartbeat({ workspace_id: "" }), null);
  assert.equal(parseHeartbeat({ workspace_id: "w", error_rate: "high" }), null);
  assert.equal(parseHeartbeat({ workspace_id: "w", active_tasks: 1.5 }), null);
  assert.deepEqual(parseHeartbeat({ workspace_id: "w" }), {
    workspaceId: "w",
    errorRate: 0,
    sampleError: null,
    activeTasks: 0,
    uptimeSeconds: 0,
    currentTask: null,
    monthlySpend: null,
    runtimeState: "",
  });
  const full = parseHeartbeat({
    workspace_id: "w",
    error_rate: 0.8,
    sample_error: "boom",
    active_tasks: 2,
    uptime_seconds: 12.7,
    current_task: "t",
    monthly_spend: 3.5,
    runtime_state: "wedged",
    runtime_metadata: { capabilities: [], idle_timeout_seconds: 5 },
  });
  assert.equal(full?.uptimeSeconds, 12);
  assert.equal(full?.monthlySpend, 3.5);
  assert.equal(full?.runtimeState, "wedged");
});
