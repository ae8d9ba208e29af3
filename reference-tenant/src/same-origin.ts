/**
 * "Same-origin canvas" (docs/anchor.md#tenantguard, step 5): the browser-side canvas, served by this tenant,
 * calls its own API. Recognised by a Referer under `http(s)://<Host>/` (or exactly the origin), else an
 * Origin equal to `http(s)://<Host>`. Only meaningful when the canvas fallback is mounted.
 */
export function isSameOriginCanvas(headers: { host?: string; referer?: string; origin?: string }): boolean {
  const host = headers.host;
  if (!host) return false;
  const origins = [`https://${host}`, `http://${host}`];
  const referer = headers.referer ?? "";
  if (referer !== "" && origins.some((o) => referer === o || referer.startsWith(`${o}/`))) return true;
  const origin = headers.origin ?? "";
  return origin !== "" && origins.includes(origin);
}
