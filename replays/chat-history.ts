/**
 * chat-history — closes #2472 (peer_id filter); also #2474 (the chat_history tool's wire) and #2476
 * (before_ts paging), and exercises #2478 (peer_id matches source OR target). docs/anchor.md#chat-history,
 * all 16 assertions. As in the anchor it uses the legacy single-tenant names: the workspace is
 * ALPHA_ID (tenants[0]'s parent) and the peer BETA_ID (tenants[0]'s CHILD, not tenant beta —
 * docs/anchor.md#quirks), over the legacy host.
 *   A  3 a2a_receive rows from the peer, 4 h / 2 h / 1 h old
 *   B  peer_id filter: 3 rows, newest first                             B1 B2 B3
 *   C  limit=2: the two newest                                          C1 C2 C3
 *   D  before_ts = newest's created_at: strictly older rows only        D1 D2 D3
 *   E  an a2a_send TO the peer also matches peer_id (source OR target)  E1 E2
 *   F/G/H  bad peer_id / before_ts / an injection attempt → 400        F1 F2 G1 G2 H1
 */
import {
  defineReplay,
  expect,
  expectEqual,
  expectIncludes,
  expectStatus,
  type HttpResponse,
  type Tenant,
} from "../runner/api";
import { Checklist } from "./lib/checklist";

interface Row {
  summary: string;
  created_at: string;
}

function rows(res: HttpResponse | undefined): Row[] {
  return res?.status === 200 ? (JSON.parse(res.text) as Row[]) : [];
}

async function insert(
  tenant: Tenant,
  type: string,
  source: string,
  target: string,
  summary: string,
  age: string,
) {
  await tenant.sql(
    `INSERT INTO activity_logs (workspace_id, activity_type, source_id, target_id, method, summary, created_at)
     VALUES ($1, $2, $3, $4, 'message/send', $5, now() - $6::interval)`,
    [tenant.seed.parent, type, source, target, summary, age],
  );
}

export default defineReplay({
  closes: "#2472",
  proves:
    "the activity list's peer_id filter (source OR target), limit and strictly-older before_ts paging work over the wire, and malformed peer_id/before_ts values are refused with 400 (#2472, #2474, #2476, #2478)",
  async run(ctx) {
    const tenant = ctx.legacy;
    const ws = tenant.seed.parent; // ALPHA_ID
    const peer = tenant.seed.child; // BETA_ID (the anchor's legacy alias: alpha's child)
    const api = tenant.admin;
    const activity = `/workspaces/${ws}/activity`;
    const list = new Checklist(ctx);
    const cleanup = () => tenant.sql("DELETE FROM activity_logs WHERE workspace_id = $1", [ws]);

    await cleanup();
    try {
      await insert(tenant, "a2a_receive", peer, ws, "oldest from beta", "4 hours");
      await insert(tenant, "a2a_receive", peer, ws, "middle from beta", "2 hours");
      await insert(tenant, "a2a_receive", peer, ws, "newest from beta", "1 hour");

      const b = await api.get(activity, { query: { type: "a2a_receive", peer_id: peer, limit: 10 } });
      await list.check("B1 peer_id filter returns the peer's 3 rows", () => {
        expectStatus(b, 200);
        expectEqual(rows(b).length, 3, "rows");
      });
      await list.check("B2 newest first", () => expectEqual(rows(b)[0]?.summary, "newest from beta"));
      await list.check("B3 oldest last", () => expectEqual(rows(b)[2]?.summary, "oldest from beta"));

      const c = await api.get(activity, { query: { type: "a2a_receive", peer_id: peer, limit: 2 } });
      await list.check("C1 limit=2 returns 2 rows", () => expectEqual(rows(c).length, 2, "rows"));
      await list.check("C2 the newest", () => expectEqual(rows(c)[0]?.summary, "newest from beta"));
      await list.check("C3 then the middle one", () => expectEqual(rows(c)[1]?.summary, "middle from beta"));

      const newest = rows(
        await api.get(activity, { query: { type: "a2a_receive", peer_id: peer, limit: 1 } }),
      )[0];
      // The query builder URL-encodes it (a `+00:00` offset would otherwise read as a space).
      const d = await api.get(activity, {
        query: { type: "a2a_receive", peer_id: peer, before_ts: newest?.created_at ?? "", limit: 10 },
      });
      await list.check("D1 before_ts = newest's created_at returns the 2 strictly older rows (#2476)", () => {
        expectStatus(d, 200);
        expectEqual(rows(d).length, 2, "rows older than the newest");
      });
      await list.check("D2 the first of them is the middle one", () =>
        expectEqual(rows(d)[0]?.summary, "middle from beta"),
      );
      await list.check("D3 the newest is not among them (strictly older)", () =>
        expect(
          !rows(d).some((r) => r.summary === "newest from beta"),
          "before_ts returned the row at that very timestamp: paging would repeat it",
        ),
      );

      await insert(tenant, "a2a_send", ws, peer, "sent to beta", "0 seconds");
      const e = await api.get(activity, { query: { peer_id: peer } });
      await list.check("E1 peer_id also matches rows sent TO the peer (source OR target, #2478)", () =>
        expectIncludes(
          rows(e).map((r) => r.summary),
          "sent to beta",
          "summaries",
        ),
      );
      await list.check("E2 4 rows with the peer in total", () => expectEqual(rows(e).length, 4, "rows"));

      const f = await api.get(`${activity}?peer_id=not-a-uuid`);
      await list.check("F1 peer_id=not-a-uuid → 400", () => expectStatus(f, 400));
      await list.check("F2 the 400 says peer_id must be a UUID", () =>
        expectIncludes(f.text, "peer_id must be a UUID", "body"),
      );
      const g = await api.get(`${activity}?before_ts=garbage`);
      await list.check("G1 before_ts=garbage → 400", () => expectStatus(g, 400));
      await list.check("G2 the 400 names RFC3339", () => expectIncludes(g.text, "RFC3339", "body"));
      await list.check("H1 peer_id=' OR 1=1 -- → 400 (no injection)", async () =>
        expectStatus(await api.get(`${activity}?peer_id=%27%20OR%201%3D1%20--`), 400),
      );
      list.done("chat history: peer_id filter, limit, before_ts paging and validation hold");
    } finally {
      await cleanup();
    }
  },
});
