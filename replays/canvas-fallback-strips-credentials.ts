/**
 * canvas-fallback-strips-credentials — closes #451. Every path no API route claims goes to the
 * canvas server in the tenant (docs/anchor.md#canvas-fallback); the canvas must never receive the caller's
 * credentials, so the fallback deletes `Authorization` and `Cookie` and passes everything else.
 * Through the edge, on every tenant, a request carrying the admin bearer and a session cookie goes
 * to the reference canvas's echo (`/__canvas/request`), which answers with exactly what reached it.
 * A tenant image without that echo cannot show it: SKIP with the reason.
 */
import { randomUUID } from "node:crypto";
import { defineReplay, expect, expectEqual, fail } from "../runner/api";
import { CANVAS_ECHO_PATH, canvasEchoOrSkip } from "./lib/canvas-echo";

export default defineReplay({
  closes: "#451",
  proves:
    "the canvas fallback of every tenant strips Authorization and Cookie before the canvas and passes the other headers",
  independent: true,
  async run(ctx) {
    for (const tenant of ctx.tenants) {
      const requestId = randomUUID();
      const cookie = `molecule_session=${randomUUID()}`;
      const res = await tenant.admin.get(CANVAS_ECHO_PATH, {
        query: { probe: requestId },
        headers: { Cookie: cookie, "X-Request-Id": requestId, Accept: "application/json" },
      });
      const echo = canvasEchoOrSkip(ctx, tenant.name, res);
      const got = echo.headers;
      const where = `tenant ${tenant.name}: the canvas received`;
      if (got.authorization !== undefined) {
        fail(
          // Never the value: it is the stack's admin token.
          `#451 ${where} the caller's Authorization header (a ${got.authorization.split(" ")[0]} credential): the canvas fallback must strip credentials`,
        );
      }
      if (got.cookie !== undefined) {
        fail(`#451 ${where} the caller's Cookie (a session): the canvas fallback must strip credentials`);
      }
      expectEqual(got["x-request-id"], requestId, `${where} X-Request-Id (other headers must pass)`);
      expectEqual(got.accept, "application/json", `${where} Accept (other headers must pass)`);
      expectEqual(
        got["x-molecule-org-id"],
        tenant.orgId,
        `${where} X-Molecule-Org-Id (other headers must pass)`,
      );
      expect(
        echo.url === `${CANVAS_ECHO_PATH}?probe=${requestId}`,
        `${where} ${echo.method} ${echo.url}: path and query must arrive unchanged`,
      );
      expect(
        got.host !== undefined && got.host !== tenant.host,
        `${where} Host ${got.host}: the fallback must address the canvas itself, not pass the tenant's Host`,
      );
      ctx.log(
        `✓ ${tenant.name}: no Authorization, no Cookie; X-Request-Id, Accept and the org header passed`,
      );
    }
  },
});
