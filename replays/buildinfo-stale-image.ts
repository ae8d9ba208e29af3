/**
 * buildinfo-stale-image — closes #2395 (tenant fix PR #2398, TenantGuard allowlist fix 8516a8f9).
 * docs/anchor.md#buildinfo-stale-image, final form (both tenants, CI-only hard fail, cross-tenant equality).
 *
 * Production: redeploy-fleet reported success while tenants kept running the cached image. The
 * verifier fetches `/buildinfo` anonymously (no org header, no auth) and compares `.git_sha // ""`
 * with the SHA it shipped. So on every tenant, through the edge, exactly like the verifier:
 *   - empty git_sha → FAIL: the verifier calls the tenant unreachable (#2398 shipped /buildinfo
 *     without adding it to the TenantGuard allowlist: an empty 404, jq reads "");
 *   - `dev` → FAIL: the GIT_SHA build arg is not threaded into the build;
 *   - forty zeros → FAIL (a placeholder, not a build);
 *   - ≠ the expected SHA → WARN locally, FAIL under CI when the harness knows the SHA it built;
 *   - the verifier's own comparison must flag a mismatch (anchor: re-run the workflow's logic);
 *   - all tenants equal → else a stale or cross-wired container (the hermeticity canary).
 */
import { defineReplay, excerpt, fail, type HttpResponse } from "../runner/api";

const ZEROS = "0".repeat(40);

/** The verifier's lookup, `jq -r '.git_sha // ""'`: no JSON, or a null/false/missing value, reads as "". */
function verifierSha(res: HttpResponse): string {
  let sha: unknown;
  try {
    sha = (JSON.parse(res.text) as { git_sha?: unknown } | null)?.git_sha;
  } catch {
    return "";
  }
  if (sha === undefined || sha === null || sha === false) return "";
  return typeof sha === "string" ? sha : JSON.stringify(sha);
}

/** The verifier's comparison: a tenant whose SHA differs from the shipped one is stale. */
const verifierFlagsMismatch = (actual: string, shipped: string) => actual !== shipped;

export default defineReplay({
  closes: "#2395",
  proves:
    "every tenant serves GET /buildinfo anonymously through the edge with the same real GIT_SHA (not empty, dev or zeros), and a stale image would be flagged",
  independent: true,
  async run(ctx) {
    const injected = ctx.target.expectedGitSha ?? ctx.env.HARNESS_GIT_SHA?.trim();
    const expected = injected || "harness";
    const seen: { tenant: string; sha: string }[] = [];
    for (const tenant of ctx.tenants) {
      const res = await tenant.anon.get("/buildinfo");
      const sha = verifierSha(res);
      const where = `tenant ${tenant.name}: anonymous GET /buildinfo (Host ${tenant.host})`;
      if (sha === "") {
        fail(
          `${where} gave no git_sha (HTTP ${res.status}; body: ${excerpt(res.text)}): the deploy verifier's jq lookup reads "" and reports the tenant unreachable — is /buildinfo on the TenantGuard allowlist? (#2398 shipped without it: an empty 404)`,
        );
      }
      if (sha === "dev") {
        fail(
          `${where} reports git_sha "dev": the GIT_SHA build arg is not wired into the build (Dockerfile ARG / ldflags), so a stale image is indistinguishable from a fresh one`,
        );
      }
      if (sha === ZEROS)
        fail(`${where} reports forty zeros: a placeholder, not the SHA the image was built from`);
      if (sha !== expected) {
        const message = `${where} reports ${sha}, the harness built ${expected}: stale image (rebuild: REBUILD=1 / pulumi up)`;
        if (injected && ctx.ci) fail(`${message} — a hard failure under CI`);
        ctx.log(
          `WARN ${message}${injected ? "" : " (no expected SHA was injected; compared with the default)"}`,
        );
      }
      if (!verifierFlagsMismatch(sha, ZEROS)) {
        fail(
          `${where}: the verifier's comparison would not flag ${sha} as differing from a shipped ${ZEROS}`,
        );
      }
      ctx.log(`✓ ${tenant.name}: git_sha ${sha}`);
      seen.push({ tenant: tenant.name, sha });
    }
    const distinct = new Set(seen.map((s) => s.sha));
    if (distinct.size > 1) {
      fail(
        `tenants report different git_sha values (${seen.map((s) => `${s.tenant}=${s.sha}`).join(", ")}): a stale or cross-wired tenant container`,
      );
    }
  },
});
