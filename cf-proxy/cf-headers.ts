/**
 * The request headers the edge writes, and the Cloudflare request headers it strips.
 *
 * Sources: Cloudflare's "HTTP request headers" reference (developers.cloudflare.com/fundamentals/
 * reference/http-headers), the Managed Transforms reference (visitor location, bot, mTLS, leaked
 * credentials headers), Cloudflare Access (JWT and service-token headers) and cloudflared (tunnel tag).
 */

/** Cloudflare-style ray id suffix: real rays end in the 3-letter code of the data centre ("-SJC"). */
export const CF_RAY_COLO = "HRN";

/**
 * Headers a real Cloudflare request may carry that this edge does NOT produce. A client could send any
 * of them to impersonate the CDN, so the edge removes each one (`proxy_set_header <name> ""`).
 *
 * LIMITATION: nginx-light (Debian) and the stock nginx image have no headers-more module, njs or
 * perl, so nginx cannot drop "every CF-* header" by pattern: only the names listed here are removed.
 * An unlisted `CF-Something` a client sends still reaches the tenant. Add new Cloudflare headers here;
 * the loopback tests send every entry and fail if one arrives.
 */
export const STRIPPED_CF_REQUEST_HEADERS = [
  // Client address variants (Pseudo IPv4, Enterprise True-Client-IP).
  "CF-Connecting-IPv6",
  "CF-Pseudo-IPv4",
  "True-Client-IP",
  // Geolocation (IP Geolocation + "Add visitor location headers").
  "CF-IPCountry",
  "CF-IPCity",
  "CF-IPContinent",
  "CF-IPLongitude",
  "CF-IPLatitude",
  "CF-Region",
  "CF-Region-Code",
  "CF-Metro-Code",
  "CF-Postal-Code",
  "CF-Timezone",
  // Workers and the edge itself.
  "CF-Worker",
  "CF-EW-Via",
  "CF-Device-Type",
  "CF-Request-ID",
  // Bot management ("Add bot protection headers").
  "CF-Bot-Score",
  "CF-Verified-Bot",
  "CF-Threat-Score",
  "CF-JA3-Hash",
  "CF-JA4",
  // mTLS client certificate ("Add TLS client auth headers").
  "CF-Cert-Revoked",
  "CF-Cert-Verified",
  "CF-Cert-Presented",
  "CF-Cert-Issuer-DN",
  "CF-Cert-Subject-DN",
  "CF-Cert-Issuer-DN-RFC2253",
  "CF-Cert-Subject-DN-RFC2253",
  "CF-Cert-Issuer-DN-Legacy",
  "CF-Cert-Subject-DN-Legacy",
  "CF-Cert-Serial",
  "CF-Cert-Issuer-Serial",
  "CF-Cert-Fingerprint-SHA256",
  "CF-Cert-Fingerprint-SHA1",
  "CF-Cert-Not-Before",
  "CF-Cert-Not-After",
  "CF-Cert-SKI",
  "CF-Cert-Issuer-SKI",
  // Cloudflare Access (identity assertion and service-token credentials).
  "CF-Access-Jwt-Assertion",
  "CF-Access-Authenticated-User-Email",
  "CF-Access-Client-Id",
  "CF-Access-Client-Secret",
  "CF-Access-Token",
  // cloudflared tunnel.
  "CF-Warp-Tag-Id",
  // Leaked credentials detection ("Add leaked credentials checks header").
  "Exposed-Credential-Check",
] as const;

/**
 * What the edge sends upstream for each header it owns, as nginx values (client values are replaced,
 * except X-Forwarded-For which is appended to). `proto` is the configured forwarded scheme.
 */
export function edgeSetHeaders(
  proto: "http" | "https",
): ReadonlyArray<readonly [name: string, value: string]> {
  return [
    // The client's Host header unchanged (case, port), as long as it is the host the request was
    // routed on (see $edge_forwarded_host in render.ts).
    ["Host", "$edge_forwarded_host"],
    ["X-Forwarded-Host", "$edge_forwarded_host"],
    ["X-Forwarded-Proto", proto],
    ["X-Forwarded-For", "$proxy_add_x_forwarded_for"],
    ["X-Real-IP", "$remote_addr"],
    ["CF-Connecting-IP", "$remote_addr"],
    ["CF-Ray", "$edge_cf_ray"],
    ["CF-Visitor", `{"scheme":"${proto}"}`],
    ["CDN-Loop", "cloudflare"],
    // WebSocket: only when the client asked for an upgrade; otherwise both are dropped.
    ["Upgrade", "$edge_upgrade"],
    ["Connection", "$edge_connection"],
  ];
}
