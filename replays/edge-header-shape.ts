/**
 * edge-header-shape — what a tenant actually receives through the edge, which imitates the
 * Cloudflare tunnel (docs/anchor.md#cdn-header-rewrites; the anchor's nginx sent X-Forwarded-Proto `http`,
 * trusted nothing and routed unknown hosts to the first tenant). A client sends spoofed values of every
 * header the CDN owns; the reference canvas echo (behind the tenant's canvas fallback) shows what
 * arrived:
 *   X-Forwarded-Proto = the configured scheme (default https) and CF-Visitor says the same;
 *   X-Forwarded-Host = the routed host; X-Real-IP = CF-Connecting-IP = the client's address, never
 *   the spoofed ones; X-Forwarded-For = the client's list with the client address appended (the
 *   tenant's own proxy hop to its canvas may add its peer after it); a fresh CF-Ray per request, the
 *   same one on the response; CDN-Loop `cloudflare`; every stripped Cloudflare header absent.
 * An unknown Host is refused by the edge itself with 421 and reaches no tenant.
 */
import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { STRIPPED_CF_REQUEST_HEADERS } from "../cf-proxy/cf-headers";
import {
  defineReplay,
  expect,
  expectEqual,
  expectJsonSubset,
  expectMatch,
  expectNoHeader,
  expectStatus,
  type ReplayContext,
  type Tenant,
} from "../runner/api";
import { CANVAS_ECHO_PATH, canvasEchoOrSkip } from "./lib/canvas-echo";
import { Checklist } from "./lib/checklist";

const SPOOF = {
  xff: "203.0.113.7",
  realIp: "203.0.113.8",
  connectingIp: "203.0.113.9",
  host: "evil.example",
  ray: "0123456789abcdef-EVL",
  loop: "evil-loop",
};
const RAY = /^[0-9a-f]{16}-[A-Z]{3}$/;

function spoofedHeaders(proto: string): Record<string, string> {
  const other = proto === "https" ? "http" : "https";
  const headers: Record<string, string> = {
    "X-Forwarded-For": SPOOF.xff,
    "X-Real-IP": SPOOF.realIp,
    "CF-Connecting-IP": SPOOF.connectingIp,
    "X-Forwarded-Proto": other,
    "X-Forwarded-Host": SPOOF.host,
    "CF-Ray": SPOOF.ray,
    "CF-Visitor": JSON.stringify({ scheme: other }),
    "CDN-Loop": SPOOF.loop,
  };
  for (const name of STRIPPED_CF_REQUEST_HEADERS) headers[name] = `spoofed-${name.toLowerCase()}`;
  return headers;
}

async function echoThrough(ctx: ReplayContext, tenant: Tenant, proto: string) {
  const res = await tenant.admin.get(CANVAS_ECHO_PATH, { headers: spoofedHeaders(proto) });
  return { res, echo: canvasEchoOrSkip(ctx, tenant.name, res) };
}

async function checkTenant(
  ctx: ReplayContext,
  list: Checklist,
  tenant: Tenant,
  proto: string,
): Promise<void> {
  const { res, echo } = await echoThrough(ctx, tenant, proto);
  const h = (name: string) => echo.headers[name.toLowerCase()];
  const t = `${tenant.host}:`;
  await list.check(`${t} X-Forwarded-Proto is the configured ${proto}`, () =>
    expectEqual(h("x-forwarded-proto"), proto, "X-Forwarded-Proto"),
  );
  await list.check(`${t} CF-Visitor carries the same scheme`, () =>
    expectEqual(h("cf-visitor"), JSON.stringify({ scheme: proto }), "CF-Visitor"),
  );
  await list.check(`${t} X-Forwarded-Host is the routed host`, () =>
    expectEqual(h("x-forwarded-host"), tenant.host, "X-Forwarded-Host"),
  );
  const client = h("x-real-ip") ?? "";
  await list.check(`${t} X-Real-IP is the client's address, not the spoofed one`, () => {
    expect(isIP(client) !== 0, `X-Real-IP must be an IP address, got ${JSON.stringify(client)}`);
    expect(client !== SPOOF.realIp, `X-Real-IP is the client-sent (spoofed) ${SPOOF.realIp}`);
  });
  await list.check(`${t} CF-Connecting-IP is the client's address (a spoofed one is overwritten)`, () => {
    const got = h("cf-connecting-ip");
    expect(
      got !== SPOOF.connectingIp,
      `CF-Connecting-IP: the tenant received the client-sent (spoofed) ${SPOOF.connectingIp} instead of the client's address — the edge must overwrite it`,
    );
    expectEqual(got, client, "CF-Connecting-IP (= the client address the edge saw, as X-Real-IP)");
  });
  await list.check(`${t} X-Forwarded-For keeps the client's list and appends the client address`, () => {
    const hops = (h("x-forwarded-for") ?? "").split(",").map((s) => s.trim());
    expectEqual(hops[0], SPOOF.xff, "X-Forwarded-For[0] (the client's own value, appended to, not replaced)");
    expectEqual(hops[1], client, "X-Forwarded-For[1] (the client address the edge appends)");
    // A third entry is the tenant's own proxy hop to its canvas (a reverse proxy appends its peer).
    expect(hops.length <= 3, `X-Forwarded-For has unexpected extra hops: ${hops.join(", ")}`);
  });
  const ray = h("cf-ray") ?? "";
  await list.check(`${t} CF-Ray is the edge's own, in Cloudflare's shape, and on the response`, () => {
    expect(ray !== SPOOF.ray, `CF-Ray is the client-sent (spoofed) ${SPOOF.ray}`);
    expectMatch(ray, RAY, "CF-Ray");
    expectEqual(res.header("cf-ray"), ray, "the response's CF-Ray (the one the tenant got)");
  });
  await list.check(`${t} CF-Ray is fresh per request`, async () => {
    const again = await echoThrough(ctx, tenant, proto);
    expect(again.echo.headers["cf-ray"] !== ray, `two requests got the same CF-Ray ${ray}`);
  });
  await list.check(`${t} CDN-Loop is cloudflare`, () => expectEqual(h("cdn-loop"), "cloudflare", "CDN-Loop"));
  await list.check(`${t} Cloudflare headers the edge does not produce never arrive`, () => {
    const through = STRIPPED_CF_REQUEST_HEADERS.filter((name) => h(name) !== undefined);
    expect(through.length === 0, `client-sent ${through.join(", ")} reached the tenant (must be stripped)`);
  });
}

export default defineReplay({
  closes: null,
  proves:
    "tenants receive the CDN's header shape from the edge (configured X-Forwarded-Proto, client address in X-Real-IP/CF-Connecting-IP/X-Forwarded-For, fresh CF-Ray, CF-Visitor, CDN-Loop; spoofed CF headers overwritten or stripped) and an unknown Host is refused with 421",
  independent: true,
  async run(ctx) {
    const proto = ctx.target.edgeForwardedProto ?? "https";
    const list = new Checklist(ctx);
    for (const tenant of ctx.tenants) await checkTenant(ctx, list, tenant, proto);

    await list.check(`the legacy host ${ctx.legacy.host} arrives as itself`, async () => {
      const { echo } = await echoThrough(ctx, ctx.legacy, proto);
      expectEqual(echo.headers["x-forwarded-host"], ctx.legacy.host, "X-Forwarded-Host");
    });
    for (const host of [`harness-tenant-${randomUUID().slice(0, 8)}.localhost`, SPOOF.host]) {
      await list.check(
        `unknown Host ${host} is refused by the edge (421) and reaches no tenant`,
        async () => {
          const res = await ctx.edge.request({
            host,
            path: "/health",
            headers: { "X-Molecule-Org-Id": ctx.tenants[0].orgId },
          });
          expectStatus(res, 421, `unknown Host ${host} (routed to a tenant instead of refused?)`);
          expectJsonSubset(res, { error: "unknown_host" }, "the edge's 421 body");
          // Every tenant answer passes the tenant's rate limiter first, which sets this header.
          expectNoHeader(res, "x-ratelimit-limit", "a tenant answered the unknown Host");
        },
      );
    }
    list.done("the edge hands tenants the CDN's header shape and refuses unknown hosts");
  },
});
