/**
 * no-egress — issue 14: no call leaves the harness, by construction. From inside every tenant
 * container a name the harness does not own resolves to the egress sinkhole, an HTTP request to it
 * is refused with the harness's 502, and the sinkhole's journal names the tenant container and the
 * host. The tenant is on internal networks only and has no default route. The name is the harness's
 * own probe name (`*.harness.invalid`, never a real address), so the attempt is journaled but never
 * pinned on this replay; any other attempt during it still is.
 *
 * Needs the Docker stack (it execs into the tenants): the loopback tier, whose tenants are host
 * processes, leaves it out (scripts/replays-local.ts).
 */
import { parseEgressJournal, PROBE_DOMAIN } from "../program/contracts/egress";
import { defineReplay, excerpt, fail, type ReplayContext } from "../runner/api";
import {
  dockerOn,
  execIn,
  HTTP_PROBE,
  inspect,
  probeResult,
  stdoutOf,
  type DockerCall,
} from "./lib/docker-exec";

const PROBE_PORT = 8089;

async function checkTenant(
  ctx: ReplayContext,
  docker: DockerCall,
  tenant: string,
  name: string,
  sinkhole: string,
): Promise<void> {
  const info = await inspect<{ NetworkSettings: { Networks: Record<string, unknown> } }>(docker, [name]);
  // 1. Internal networks only: a tenant is never dual-homed onto the bridge.
  for (const network of Object.keys(info.NetworkSettings.Networks)) {
    const net = await inspect<{ Internal: boolean }>(docker, ["network", network]);
    if (!net.Internal)
      fail(
        `${name} is on ${network}, which is not internal (a route out): a tenant sits on the internal network only`,
      );
  }
  // 2. No default route (its routing table, never a connection out).
  const routes = await execIn(docker, name, ["cat", "/proc/net/route"]);
  const defaults = routes.output.split("\n").filter((l) => l.split(/\s+/)[1] === "00000000");
  if (routes.code !== 0 || defaults.length > 0)
    fail(`${name} has a default route (a way out of the network): ${excerpt(routes.output)}`);
  // 3. An outside name resolves to the sinkhole, and HTTP to it gets the harness's refusal.
  // Unique per tenant and run: the tenants are probed at the same time.
  const host = `${ctx.name}-${tenant}-${Date.now()}.${PROBE_DOMAIN}`;
  const run = await execIn(docker, name, ["node", "-e", HTTP_PROBE, host, String(PROBE_PORT)]);
  if (run.code === 126 || run.code === 127 || /executable file not found/.test(run.output))
    return ctx.skip(`${name} has no node to make the probe request with (not the reference tenant image)`);
  const seen = probeResult(run.output);
  if (seen.status !== 502 || !/egress_blocked/.test(seen.body ?? ""))
    fail(
      `${name}: http://${host}:${PROBE_PORT}/ must resolve to the sinkhole and get its 502, got ${excerpt(JSON.stringify(seen))}`,
    );
  // 4. The journal names the source container, the host, the port and the protocol.
  const entry = await ctx.eventually(
    async () => {
      const found = parseEgressJournal(await stdoutOf(docker, sinkhole, 2000)).find(
        (e) => e.host === host && e.protocol === "http",
      );
      if (!found) throw new Error(`no journal entry for ${host} in ${sinkhole}'s logs`);
      return found;
    },
    { timeoutMs: 5000, intervalMs: 100 },
  );
  if (entry.source !== name || entry.port !== PROBE_PORT || entry.probe !== true)
    fail(
      `${sinkhole}'s journal entry for ${host} should name ${name} and port ${PROBE_PORT}: ${JSON.stringify(entry)}`,
    );
  ctx.log(
    `✓ ${name}: internal only, no default route; ${host} → ${seen.address} (sinkhole) → 502, journaled`,
  );
}

export default defineReplay({
  closes: null,
  proves:
    "issue 14: from inside every tenant an outside name resolves to the egress sinkhole, HTTP to it gets the harness's 502 and a journal entry naming the tenant and the host; tenants sit on internal networks only, with no default route",
  independent: true,
  async run(ctx) {
    const egress = ctx.target.egress;
    if (!egress) return ctx.skip("this target has no egress sinkhole (not the Docker stack)");
    const docker = dockerOn(ctx.target.engine);
    await Promise.all(
      ctx.target.tenants.map((tenant) => {
        if (!tenant.container) fail(`tenant ${tenant.name} has no container name in the target`);
        return checkTenant(ctx, docker, tenant.name, tenant.container, egress.container);
      }),
    );
  },
});
