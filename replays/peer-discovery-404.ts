/**
 * peer-discovery-404 — closes #2397 (runtime fix PR #2399). docs/anchor.md#peer-discovery-404, final WIRE
 * form.
 *
 * In production an agent's `list_peers` said "No peers available (this workspace may be isolated)"
 * for five different causes. The runtime now turns a 404 from `/registry/<id>/peers` into "workspace
 * <id> is not registered … re-registration is needed" — which only works if the tenant answers an
 * unregistered workspace with 404, not a success-shaped 200 [] (or a 500). Checked on every tenant
 * and on the legacy host (the anchor used `curl_admin`).
 */
import { randomUUID } from "node:crypto";
import { defineReplay, excerpt, fail } from "../runner/api";

export default defineReplay({
  closes: "#2397",
  proves:
    "every tenant answers GET /registry/<unregistered id>/peers with 404 (not 200 [] or 500), so the runtime reports 'not registered' instead of 'may be isolated'",
  independent: true,
  async run(ctx) {
    for (const tenant of [...ctx.tenants, ctx.legacy]) {
      const rogue = randomUUID();
      const res = await tenant.admin.get(`/registry/${rogue}/peers`, {
        headers: { "X-Workspace-ID": rogue },
      });
      if (res.status !== 404) {
        const shape =
          res.status === 200
            ? "a success-shaped answer: the runtime shows an empty peer list ('may be isolated') instead of 'not registered'"
            : "the runtime's 404 branch ('not registered, re-register') is never taken";
        fail(
          `#2397 peer discovery (Host ${tenant.host}): GET /registry/<unregistered id>/peers must answer 404, got HTTP ${res.status} — ${shape}; body: ${excerpt(res.text)}`,
        );
      }
      ctx.log(`✓ ${tenant.host}: 404 for unregistered workspace ${rogue} (body: ${excerpt(res.text, 120)})`);
    }
  },
});
