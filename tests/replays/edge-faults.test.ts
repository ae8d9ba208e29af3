/**
 * L4 for the edge replays: edge-header-shape and websocket-through-edge FAIL against an edge with
 * one rule of the rendered config broken the way the anchor's nginx had it (or a spoofable one),
 * naming the bug, and PASS against the edge as rendered. Real nginx, real reference tenants; the
 * edge is restarted with the changed config per test, everything else stays up.
 */
import { after, afterEach, before, describe, test } from "node:test";
import {
  edgeDropsUpgrade,
  edgeForwardsItsOwnScheme,
  edgeRoutesUnknownHostsToFirstTenant,
  edgeTrustsClientConnectingIp,
  wsOutsideTheGuard,
} from "./test-support/faults";
import { startL4Stack, type L4Stack } from "./test-support/l4-stack";
import { assertCaught, assertPassed } from "./test-support/verdict";

describe("L4: edge replays catch the edge's bugs", () => {
  let stack: L4Stack;
  before(async () => {
    stack = await startL4Stack();
  });
  after(async () => {
    await stack?.stop();
  });
  afterEach(() => stack.clearFaults());

  /** The edge with one rule broken → FAIL naming it; the edge as rendered → PASS. */
  async function provesEdgeBug(replay: string, broken: (conf: string) => string, patterns: RegExp[]) {
    await stack.topology.restartEdge(broken);
    try {
      assertCaught(await stack.run(replay), ...patterns);
    } finally {
      await stack.topology.restartEdge();
    }
    assertPassed(await stack.run(replay));
  }

  test("edge-header-shape: the edge passes a spoofed CF-Connecting-IP through", () =>
    provesEdgeBug("edge-header-shape", edgeTrustsClientConnectingIp, [
      /CF-Connecting-IP is the client's address/,
      /client-sent \(spoofed\) 203\.0\.113\.9/,
      /must overwrite it/,
    ]));

  test("edge-header-shape: X-Forwarded-Proto is the edge's own scheme (http), not the CDN's https", () =>
    provesEdgeBug("edge-header-shape", edgeForwardsItsOwnScheme, [
      /X-Forwarded-Proto is the configured https/,
      /expected 'https', got 'http'/,
    ]));

  test("edge-header-shape: an unknown Host is routed to the first tenant (the anchor's nginx)", () =>
    provesEdgeBug("edge-header-shape", edgeRoutesUnknownHostsToFirstTenant, [
      /unknown Host harness-tenant-[0-9a-f]+\.localhost is refused by the edge \(421\)/,
      /routed to a tenant instead of refused\?/,
      /got 200/,
    ]));

  test('websocket-through-edge: the edge drops Upgrade (the anchor\'s Connection "")', () =>
    provesEdgeBug("websocket-through-edge", edgeDropsUpgrade, [
      /WebSocket upgrade through the edge failed/,
      /expected HTTP 101 \(upgrade\), got 400/,
      /websocket upgrade required/,
    ]));

  test("websocket-through-edge: /ws outside the TenantGuard (an upgrade without the org header is let in)", async () => {
    stack.setFault("alpha", wsOutsideTheGuard(stack.tenant("alpha").orgId));
    try {
      assertCaught(
        await stack.run("websocket-through-edge"),
        /tenant alpha/,
        /without X-Molecule-Org-Id must be refused/,
        /accepted \(101\)/,
      );
    } finally {
      stack.clearFaults();
    }
    assertPassed(await stack.run("websocket-through-edge"));
  });
});
