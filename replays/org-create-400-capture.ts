/**
 * org-create-400-capture — docs/anchor.md#org-create-400-capture (canary smoke #2737, un-xfailed 82c459f2).
 * The staging canary created an org with `set -e` + `curl --fail-with-body`, so a CP 400 ended the script
 * before anyone saw why. The replay sends the same incomplete create (no owner_user_id) and asserts
 * the CP's answer is a 400 whose body survives: non-empty and JSON. It goes to the cp-stub directly,
 * not through a tenant: the tenant's /cp/* allowlist blocks /cp/admin/* (that is cp-proxy-allowlist).
 */
import { request } from "undici";
import { defineReplay, excerpt, expectStatus, fail } from "../runner/api";

export default defineReplay({
  closes: "#2737",
  proves:
    "an org create the CP rejects comes back as HTTP 400 with a non-empty JSON body that a caller can capture and print",
  independent: true,
  async run(ctx) {
    for (const tenant of ctx.tenants)
      expectStatus(await tenant.anon.get("/health"), 200, `${tenant.name} health`);
    if (!ctx.target.cpStubUrl) ctx.skip("the stack does not publish the cp-stub (cpStub.publish: false)");

    const url = `${ctx.target.cpStubUrl}/cp/admin/orgs`;
    const payload = { slug: `harness-org-replay-400-${process.pid}`, name: "replay-bad-org" };
    const res = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
    const body = await res.body.text();
    const what = `POST /cp/admin/orgs without owner_user_id (direct to the cp-stub)`;
    if (res.statusCode >= 200 && res.statusCode < 300) {
      fail(
        `${what}: expected HTTP 400, got ${res.statusCode} — the CP accepted an org without owner_user_id; body: ${excerpt(body)}`,
      );
    }
    if (res.statusCode >= 500)
      fail(`${what}: expected HTTP 400, got a server error ${res.statusCode}; body: ${excerpt(body)}`);
    if (res.statusCode !== 400)
      fail(`${what}: expected HTTP 400, got another client error ${res.statusCode}; body: ${excerpt(body)}`);
    if (body.trim() === "") {
      fail(
        `${what}: the 400 body is empty — the reason the CP refused is lost (the bug this replay captures)`,
      );
    }
    try {
      JSON.parse(body);
    } catch {
      fail(`${what}: the 400 body is not JSON, a caller cannot read its error: ${excerpt(body)}`);
    }
    ctx.log(`captured 400 body: ${excerpt(body)}`);
    ctx.log(
      "staging fix: capture the body instead of failing first — `code=$(curl -sS -o body.json -w '%{http_code}' …)`, print body.json when code ≠ 201 (no --fail-with-body under set -e)",
    );
  },
});
