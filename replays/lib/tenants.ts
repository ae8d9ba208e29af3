/** Tenant selection shared by the replays that compare two tenants (the anchor's alpha and beta). */
import type { ReplayContext, Tenant } from "../../runner/api";

/** tenants[0] and tenants[1] (the anchor's alpha/beta); SKIP when the stack has only one tenant. */
export function twoTenants(ctx: ReplayContext): [Tenant, Tenant] {
  if (ctx.tenants.length < 2) {
    ctx.skip(
      `needs two tenants to compare, the stack has one (${ctx.tenants[0].name}); configure a second tenant`,
    );
  }
  return [ctx.tenants[0], ctx.tenants[1]];
}
