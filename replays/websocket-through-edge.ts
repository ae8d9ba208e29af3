/**
 * websocket-through-edge — WebSocket upgrades pass through the edge (docs/design.md#fixed-anchor-behaviours:
 * the anchor's nginx sent `Connection ""` and no `Upgrade`, so the canvas's live event stream never connected
 * through it). On every tenant: `/ws` with the org header upgrades (101) and a frame makes the round
 * trip (the tenant echoes every frame); `/ws` stays behind the TenantGuard — without the org header
 * the upgrade is refused with 400, with a wrong org with 404.
 */
import { randomUUID } from "node:crypto";
import type WebSocket from "ws";
import { defineReplay, fail, type TenantClient } from "../runner/api";

function roundTrip(socket: WebSocket, text: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`no echo of the frame within ${timeoutMs} ms (upgrade done, frames do not flow)`)),
      timeoutMs,
    );
    socket.on("message", (data) => {
      if (data.toString() === text) {
        clearTimeout(timer);
        resolve();
      }
    });
    socket.once("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`the socket closed (code ${code}) before the echo arrived`));
    });
    socket.send(text);
  });
}

/** The status an upgrade was refused with, or null if it was accepted. */
async function refusal(client: TenantClient): Promise<number | null> {
  try {
    const socket = await client.websocket("/ws", { timeoutMs: 10_000 });
    socket.close();
    return null;
  } catch (error) {
    const status = /got (\d{3})/.exec((error as Error).message);
    if (!status) throw error;
    return Number(status[1]);
  }
}

export default defineReplay({
  closes: null,
  proves:
    "WebSocket upgrades to /ws pass the edge with the org header (101 and an echoed frame) and stay behind the TenantGuard without it",
  independent: true,
  async run(ctx) {
    for (const tenant of ctx.tenants) {
      let socket: WebSocket;
      try {
        socket = await tenant.admin.websocket("/ws", { timeoutMs: 10_000 });
      } catch (error) {
        fail(`tenant ${tenant.name}: WebSocket upgrade through the edge failed: ${(error as Error).message}`);
      }
      try {
        await roundTrip(socket, `replay-echo-${randomUUID()}`, 5000);
      } catch (error) {
        fail(`tenant ${tenant.name}: /ws through the edge: ${(error as Error).message}`);
      } finally {
        socket.close();
      }
      const missing = await refusal(tenant.client({ token: tenant.adminToken }));
      if (missing !== 400) {
        fail(
          `tenant ${tenant.name}: a /ws upgrade without X-Molecule-Org-Id must be refused by the TenantGuard with 400, ${missing === null ? "it was accepted (101)" : `got ${missing}`}`,
        );
      }
      const wrong = await refusal(tenant.admin.with({ "X-Molecule-Org-Id": "not-the-right-org" }));
      if (wrong !== 404) {
        fail(
          `tenant ${tenant.name}: a /ws upgrade with a wrong X-Molecule-Org-Id must be refused with 404, ${wrong === null ? "it was accepted (101)" : `got ${wrong}`}`,
        );
      }
      ctx.log(
        `✓ ${tenant.name}: upgrade + echo with the org header; refused without (400) and with a wrong org (404)`,
      );
    }
  },
});
