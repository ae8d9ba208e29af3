import assert from "node:assert/strict";
import { test } from "node:test";
import { parseNewWorkspace } from "./workspace-input";

const PARENT = "3f1c8a2e-4b5d-4c6e-8f7a-9b0c1d2e3f4a";

test("workspace input: tier 0 (or none) becomes 3; other tiers are kept", () => {
  const tier = (body: Record<string, unknown>) => {
    const parsed = parseNewWorkspace({ name: "a", ...body });
    assert.ok(parsed.ok);
    return parsed.value.tier;
  };
  assert.equal(tier({ tier: 0 }), 3);
  assert.equal(tier({}), 3);
  assert.equal(tier({ tier: null }), 3);
  assert.equal(tier({ tier: 1 }), 1);
  assert.equal(tier({ tier: 4 }), 4);
});

test("workspace input: the seed's bodies parse; id is ignored; runtime defaults to langgraph", () => {
  const parsed = parseNewWorkspace({
    id: "client-id",
    name: "alpha-child",
    tier: 1,
    parent_id: PARENT,
    runtime: "langgraph",
  });
  assert.ok(parsed.ok);
  assert.equal(parsed.value.parentId, PARENT);
  assert.equal(parsed.value.runtime, "langgraph");
  assert.ok(!("id" in parsed.value));
  const bare = parseNewWorkspace({ name: "x" });
  assert.ok(bare.ok);
  assert.equal(bare.value.runtime, "langgraph");
  assert.equal(bare.value.workspaceAccess, "none");
});

test("workspace input: not an object → payload error; bad fields → fields error", () => {
  for (const body of [null, [], "x", 3, undefined])
    assert.deepEqual(parseNewWorkspace(body), { ok: false, error: "payload" });
  for (const body of [
    {},
    { name: "" },
    { name: "   " },
    { name: 7 },
    { name: "a", tier: 5 },
    { name: "a", tier: -1 },
    { name: "a", tier: 1.5 },
    { name: "a", tier: "1" },
    { name: "a", parent_id: "not-a-uuid" },
    { name: "a", runtime: "bad runtime!" },
    { name: "a", runtime: 3 },
    { name: "a", role: 3 },
    { name: "a", workspace_access: "all" },
    { name: "a", budget_limit: -1 },
    { name: "a", canvas: { x: "left" } },
  ]) {
    assert.deepEqual(parseNewWorkspace(body), { ok: false, error: "fields" }, JSON.stringify(body));
  }
});
