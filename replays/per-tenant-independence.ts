/**
 * per-tenant-independence — docs/anchor.md#per-tenant-independence, all 12 assertions, tenants[0]/tenants[1]
 * as the anchor's alpha/beta. Each tenant's data stays its own, also while both are written at once:
 *   A/B  alpha's DB gets 3 a2a_receive rows (child → parent, alpha-msg-1..3), beta's gets 5
 *   C/D  each tenant's API lists exactly its own rows (peer_id = its child)           C1 C2 D1 D2
 *   E    direct DB counts 3 and 5; no workspace of one tenant in the other's DB        E1-E4
 *   F    10 inserts per tenant, both tenants concurrently, through the edge (POST activity);
 *        then 13 and 15 rows, and none of the other tenant's race rows in either DB    F1-F4
 * The concurrent writes go through the edge and the tenants, so a cf-proxy mix-up, a Redis keyspace
 * bleed or shared cp-stub state would show here (own databases rule out pool or cache poisoning).
 * Its rows are removed before and after, so it can run again against the same stack.
 */
import {
  defineReplay,
  expectEqual,
  expectJson,
  expectStatus,
  type ReplayContext,
  type Tenant,
} from "../runner/api";
import { Checklist } from "./lib/checklist";
import { twoTenants } from "./lib/tenants";

const RACE_INSERTS = 10;

async function clean(tenant: Tenant): Promise<void> {
  await tenant.sql("DELETE FROM activity_logs WHERE workspace_id = $1", [tenant.seed.parent]);
}

async function seedRows(tenant: Tenant, count: number): Promise<void> {
  for (let i = 1; i <= count; i += 1) {
    await tenant.sql(
      `INSERT INTO activity_logs (workspace_id, activity_type, source_id, target_id, method, summary)
       VALUES ($1, 'a2a_receive', $2, $1, 'message/send', $3)`,
      [tenant.seed.parent, tenant.seed.child, `${tenant.name}-msg-${i}`],
    );
  }
}

async function listed(tenant: Tenant): Promise<string[]> {
  const res = await tenant.admin.get(`/workspaces/${tenant.seed.parent}/activity`, {
    query: { type: "a2a_receive", peer_id: tenant.seed.child, limit: 20 },
  });
  expectStatus(res, 200);
  return expectJson<{ summary: string }[]>(res).map((row) => row.summary);
}

async function count(tenant: Tenant, where: string, params: unknown[]): Promise<number> {
  const rows = await tenant.sql<{ n: string }>(`SELECT count(*) AS n FROM ${where}`, params);
  return Number(rows[0].n);
}

/** One tenant's writer: its inserts one after another, as the anchor's background loop. */
async function raceWriter(tenant: Tenant): Promise<void> {
  for (let i = 1; i <= RACE_INSERTS; i += 1) {
    const res = await tenant.admin.post(`/workspaces/${tenant.seed.parent}/activity`, {
      activity_type: "a2a_receive",
      target_id: tenant.seed.child,
      method: "message/send",
      summary: `${tenant.name}-race-${i}`,
    });
    expectStatus(res, [200, 201], `${tenant.name} race insert ${i}`);
  }
}

async function checks(ctx: ReplayContext, alpha: Tenant, beta: Tenant): Promise<void> {
  const list = new Checklist(ctx);
  await seedRows(alpha, 3);
  await seedRows(beta, 5);

  for (const [tenant, expected, label] of [
    [alpha, 3, "C"],
    [beta, 5, "D"],
  ] as const) {
    let summaries: string[] = [];
    await list.check(`${label}1 ${tenant.name}'s API lists its ${expected} rows`, async () => {
      summaries = await listed(tenant);
      expectEqual(summaries.length, expected, "rows");
    });
    await list.check(`${label}2 none of them foreign`, () =>
      expectEqual(
        summaries.filter((s) => !s.startsWith(`${tenant.name}-msg-`)),
        [],
        `summaries not starting ${tenant.name}-msg-`,
      ),
    );
  }

  await list.check(`E1 ${alpha.name}'s DB holds 3 rows`, async () =>
    expectEqual(await count(alpha, "activity_logs WHERE workspace_id = $1", [alpha.seed.parent]), 3),
  );
  await list.check(`E2 ${beta.name}'s DB holds 5 rows`, async () =>
    expectEqual(await count(beta, "activity_logs WHERE workspace_id = $1", [beta.seed.parent]), 5),
  );
  await list.check(`E3 no ${beta.name}-% workspace in ${alpha.name}'s DB`, async () =>
    expectEqual(await count(alpha, "workspaces WHERE name LIKE $1", [`${beta.name}-%`]), 0),
  );
  await list.check(`E4 no ${alpha.name}-% workspace in ${beta.name}'s DB`, async () =>
    expectEqual(await count(beta, "workspaces WHERE name LIKE $1", [`${alpha.name}-%`]), 0),
  );

  // F: both tenants written at once, through the edge.
  const writers = await Promise.allSettled([raceWriter(alpha), raceWriter(beta)]);
  for (const w of writers) if (w.status === "rejected") ctx.log(`race writer: ${String(w.reason)}`);
  const total = (t: Tenant) => count(t, "activity_logs WHERE workspace_id = $1", [t.seed.parent]);
  await list.check(`F1 ${alpha.name} holds 3 + ${RACE_INSERTS} rows after the concurrent inserts`, async () =>
    expectEqual(await total(alpha), 3 + RACE_INSERTS, `${alpha.name} rows`),
  );
  await list.check(`F2 ${beta.name} holds 5 + ${RACE_INSERTS} rows after the concurrent inserts`, async () =>
    expectEqual(await total(beta), 5 + RACE_INSERTS, `${beta.name} rows`),
  );
  await list.check(`F3 no ${beta.name} race row in ${alpha.name}'s DB (cross-tenant bleed)`, async () =>
    expectEqual(await count(alpha, "activity_logs WHERE summary LIKE $1", [`${beta.name}-race-%`]), 0),
  );
  await list.check(`F4 no ${alpha.name} race row in ${beta.name}'s DB (cross-tenant bleed)`, async () =>
    expectEqual(await count(beta, "activity_logs WHERE summary LIKE $1", [`${alpha.name}-race-%`]), 0),
  );
  list.done("each tenant's data stays its own, also under concurrent writes");
}

export default defineReplay({
  closes: null,
  proves:
    "per-tenant data stays independent: each tenant's API and database hold only its own activity rows, also after both tenants are written concurrently through the edge",
  async run(ctx) {
    const [alpha, beta] = twoTenants(ctx);
    await Promise.all([clean(alpha), clean(beta)]);
    try {
      await checks(ctx, alpha, beta);
    } finally {
      await Promise.all([clean(alpha), clean(beta)]);
    }
  },
});
