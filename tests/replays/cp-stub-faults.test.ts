/**
 * L4 for the replays that talk to the control plane directly: against a cp-stub made to answer the
 * way the bug did (a programmable override — the stub's own mechanism, no product code changed)
 * they FAIL naming the bug, and PASS against the stub's real routes. One of them,
 * cp-stub-provision-config.sh, is an anchor-style bash replay: it also proves that a replay written
 * for the anchor's compose harness runs unmodified from replays/.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import type { OverrideInput } from "../../cp-stub/client";
import { REPLAYS_DIR, startL4Stack, type L4Stack } from "./test-support/l4-stack";
import { assertCaught, assertPassed } from "./test-support/verdict";

describe("L4: control-plane replays catch the CP's bugs", () => {
  let stack: L4Stack;
  const overrides: number[] = [];
  before(async () => {
    stack = await startL4Stack();
  });
  after(async () => {
    await stack?.stop();
  });
  afterEach(async () => {
    for (const id of overrides.splice(0)) await stack.cpStub.removeRoute(id).catch(() => undefined);
  });

  /** The stub answers like the bug (sticky override) → FAIL naming it; override removed → PASS. */
  async function provesCpBug(replay: string, bug: OverrideInput, patterns: RegExp[]) {
    const route = await stack.cpStub.addRoute({ ...bug, times: "sticky" });
    overrides.push(route.id);
    try {
      assertCaught(await stack.run(replay), ...patterns);
    } finally {
      await stack.cpStub.removeRoute(route.id);
      overrides.splice(overrides.indexOf(route.id), 1);
    }
    assertPassed(await stack.run(replay));
  }

  test("cp-stub-provision-config.sh is the anchor's bash form, unmodified: ../_curl.sh, ../.seed.env, curl, jq", () => {
    const script = readFileSync(join(REPLAYS_DIR, "cp-stub-provision-config.sh"), "utf8");
    assert.match(script, /^set -euo pipefail$/m);
    assert.match(script, /^source "\$\(dirname "\$0"\)\/\.\.\/_curl\.sh"$/m);
    assert.match(script, /^source "\$\(dirname "\$0"\)\/\.\.\/\.seed\.env"$/m);
    // Nothing of this harness in it: only the anchor's variable names and tools.
    assert.doesNotMatch(script, /HARNESS_|runner\//);
  });

  test("cp-stub-provision-config.sh: provision answers 200 with other fields (the first stub's bug)", () =>
    provesCpBug(
      "cp-stub-provision-config",
      { method: "POST", path: "/cp/workspaces/provision", status: 200, body: { ok: true, id: "i-stub-1" } },
      [/POST \/cp\/workspaces\/provision answered 200/, /needs 201/],
    ));

  test("cp-stub-provision-config.sh: tenants/config served for a POST (wrong method not refused)", () =>
    provesCpBug(
      "cp-stub-provision-config",
      { method: "POST", path: "/cp/tenants/config", status: 200, body: { tenant_id: "harness-tenant" } },
      [/POST \/cp\/tenants\/config answered 200, expected 405/],
    ));

  test("org-create-400-capture: the CP's 400 carries no body (the reason is lost)", () =>
    provesCpBug("org-create-400-capture", { method: "POST", path: "/cp/admin/orgs", status: 400 }, [
      /the 400 body is empty/,
      /reason the CP refused is lost/,
    ]));

  test("org-create-400-capture: the CP accepts an org without owner_user_id", () =>
    provesCpBug(
      "org-create-400-capture",
      { method: "POST", path: "/cp/admin/orgs", status: 201, body: { ok: true, slug: "x" } },
      [/expected HTTP 400, got 201/, /accepted an org without owner_user_id/],
    ));
});
