/**
 * tenant-isolation — TenantGuard isolation and per-tenant DB partitioning. docs/anchor.md#tenant-isolation
 * with every assertion (14, E2 included), the anchor's alpha/beta being tenants[0]/tenants[1]. It guards
 * the allowlist-drift class (#2398: an env-gated guard that stops rejecting what it should).
 *
 *   A1/A2 each tenant's admin lists its own workspaces (200)
 *   B1/B2 alpha's credentials at beta → 404, and the body names no tenant/org (no existence leak)
 *   C1    beta's credentials at alpha → 404
 *   D1    alpha Host + alpha bearer + a wrong X-Molecule-Org-Id → 404
 *   E1/E2 alpha Host + alpha bearer, no org header → 400 TENANT_ORG_HEADER_REQUIRED naming the header
 *   F1-F4 each list is exactly `<t>-child,<t>-parent`, with none of the other tenant's ids
 *   G1/G2 /health with only a Host header → 200 on both
 */
import {
  defineReplay,
  expect,
  expectEqual,
  expectJsonSubset,
  expectNoMatch,
  expectStatus,
  type HttpResponse,
  type Tenant,
} from "../runner/api";
import { Checklist } from "./lib/checklist";
import { twoTenants } from "./lib/tenants";

interface Workspace {
  id: string;
  name: string;
  status?: string;
}

/**
 * The anchor's `[.[].name] | sort | join(",")`. Removed workspaces are left out, as the seed ignores
 * them: other replays here remove the probes they create, and a tenant whose list still shows removed
 * rows must not fail isolation for it (the reference tenant never lists them; in the anchor nothing
 * was ever removed, so there the two are the same).
 */
function names(res: HttpResponse | undefined): string {
  const list = res?.status === 200 ? (JSON.parse(res.text) as Workspace[]) : [];
  return list
    .filter((w) => w.status !== "removed")
    .map((w) => w.name)
    .sort()
    .join(",");
}

function ids(res: HttpResponse | undefined): string[] {
  return res?.status === 200 ? (JSON.parse(res.text) as Workspace[]).map((w) => w.id) : [];
}

function noneOf(list: string[], other: Tenant): void {
  const foreign = list.filter((id) => id === other.seed.parent || id === other.seed.child);
  expect(
    foreign.length === 0,
    `${other.name}'s workspace id(s) ${foreign.join(", ")} listed by the other tenant: data crosses tenants`,
  );
}

export default defineReplay({
  closes: null,
  proves:
    "TenantGuard isolation and per-tenant DB partitioning hold: wrong or missing org credentials are refused (404 without a leak / 400 naming the header) and each tenant lists only its own workspaces",
  independent: true,
  async run(ctx) {
    const [alpha, beta] = twoTenants(ctx);
    const list = new Checklist(ctx);
    let alphaList: HttpResponse | undefined;
    let betaList: HttpResponse | undefined;

    await list.check(`A1 ${alpha.name} admin lists its workspaces`, async () => {
      alphaList = expectStatus(await alpha.admin.get("/workspaces"), 200);
    });
    await list.check(`A2 ${beta.name} admin lists its workspaces`, async () => {
      betaList = expectStatus(await beta.admin.get("/workspaces"), 200);
    });

    let crossed: HttpResponse | undefined;
    await list.check(
      `B1 ${alpha.name}'s credentials at ${beta.name} (its TenantGuard must refuse a wrong org with 404)`,
      async () => {
        crossed = await beta.credsOf(alpha).get("/workspaces");
        expectStatus(crossed, 404);
      },
    );
    await list.check(`B2 that 404 leaks nothing about the tenant`, () =>
      expectNoMatch(crossed?.text ?? "", /tenant|org|forbidden|denied/i, "404 body"),
    );
    await list.check(
      `C1 ${beta.name}'s credentials at ${alpha.name} (its TenantGuard must refuse a wrong org with 404)`,
      async () => expectStatus(await alpha.credsOf(beta).get("/workspaces"), 404),
    );
    await list.check(
      `D1 ${alpha.name} bearer with X-Molecule-Org-Id: not-the-right-org (TenantGuard must refuse a wrong org with 404)`,
      async () =>
        expectStatus(
          await alpha.admin.with({ "X-Molecule-Org-Id": "not-the-right-org" }).get("/workspaces"),
          404,
        ),
    );
    let missing: HttpResponse | undefined;
    await list.check(`E1 ${alpha.name} bearer without an org header → 400`, async () => {
      missing = await alpha.client({ token: alpha.adminToken }).get("/workspaces");
      expectStatus(missing, 400);
    });
    await list.check(`E2 that 400 says TENANT_ORG_HEADER_REQUIRED and names X-Molecule-Org-Id`, () =>
      expectJsonSubset(missing ?? { status: 0, text: "" }, {
        code: "TENANT_ORG_HEADER_REQUIRED",
        required_header: "X-Molecule-Org-Id",
      }),
    );

    await list.check(`F1 ${alpha.name}'s workspace names`, () =>
      expectEqual(names(alphaList), `${alpha.name}-child,${alpha.name}-parent`, "sorted names"),
    );
    await list.check(`F2 ${beta.name}'s workspace names`, () =>
      expectEqual(names(betaList), `${beta.name}-child,${beta.name}-parent`, "sorted names"),
    );
    await list.check(`F3 none of ${beta.name}'s ids in ${alpha.name}'s list`, () =>
      noneOf(ids(alphaList), beta),
    );
    await list.check(`F4 none of ${alpha.name}'s ids in ${beta.name}'s list`, () =>
      noneOf(ids(betaList), alpha),
    );

    await list.check(`G1 ${alpha.name} /health with only a Host header`, async () =>
      expectStatus(await alpha.anon.get("/health"), 200),
    );
    await list.check(`G2 ${beta.name} /health with only a Host header`, async () =>
      expectStatus(await beta.anon.get("/health"), 200),
    );
    list.done("TenantGuard isolation + per-tenant DB partitioning hold");
  },
});
