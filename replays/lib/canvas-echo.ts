/**
 * The reference tenant's canvas echo (reference-tenant/README.md, "Canvas echo contract"): `/__canvas/request`
 * behind the tenant's canvas fallback answers with exactly what the canvas received. It is how a
 * replay sees the headers a request carries after the edge and the tenant's own proxy hop.
 */
import type { HttpResponse, ReplayContext } from "../../runner/api";

export const CANVAS_ECHO_PATH = "/__canvas/request";

export interface CanvasEcho {
  method: string;
  url: string;
  /** Lower-case names; a repeated header joined with ", ". */
  headers: Record<string, string>;
}

export function parseCanvasEcho(res: HttpResponse): CanvasEcho | null {
  if (res.status !== 200) return null;
  try {
    const body = JSON.parse(res.text) as Partial<CanvasEcho>;
    if (typeof body.headers !== "object" || body.headers === null) return null;
    return body as CanvasEcho;
  } catch {
    return null;
  }
}

/** The echo, or SKIP: a user's own tenant image need not have the reference canvas. */
export function canvasEchoOrSkip(ctx: ReplayContext, tenant: string, res: HttpResponse): CanvasEcho {
  const echo = parseCanvasEcho(res);
  if (echo === null) {
    ctx.skip(
      `tenant ${tenant}'s canvas does not expose the ${CANVAS_ECHO_PATH} echo (${res.describe} answered HTTP ${res.status}, not the echo JSON): a tenant image without the reference canvas cannot show what reached it`,
    );
  }
  return echo;
}
