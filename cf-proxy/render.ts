/**
 * Renders the cf-proxy edge's complete nginx.conf from the tenant list: a pure, deterministic
 * function (same options → same bytes), so an unchanged tenant list never replaces the container.
 * What the config does and why is in cf-proxy/README.md; the loopback tests run it in real nginx.
 */
import { LEGACY_TENANT_HOST, tenantHost } from "../program/contracts/hosts";
import { CF_RAY_COLO, STRIPPED_CF_REQUEST_HEADERS, edgeSetHeaders } from "./cf-headers";
import { resolveEdgeOptions, type EdgeOptions, type EdgeTenant, type ResolvedEdgeOptions } from "./options";

export type { EdgeOptions, EdgeTenant } from "./options";

/** Status for a Host the edge does not serve (RFC 9110 §15.5.20: this server is not authoritative for it). */
export const UNKNOWN_HOST_STATUS = 421;

/** Upstream connect timeout: Cloudflare gives an origin 15 s to accept before its 522. */
const CONNECT_TIMEOUT_SECONDS = 15;

/** Every host the edge serves, tenant hosts in tenant order, then the legacy alias (of the first tenant). */
export function servedHosts(tenants: readonly EdgeTenant[]): string[] {
  return [...tenants.map((t) => tenantHost(t.name)), LEGACY_TENANT_HOST];
}

/**
 * A literal for a single-quoted nginx string. Everything in it comes from validated options, so a
 * `'`, `\` or `$` here is a bug (it would end the string or read a variable): refuse rather than emit.
 */
function literal(text: string): string {
  if (/['\\$]/.test(text))
    throw new Error(`internal: unsafe character in nginx literal ${JSON.stringify(text)}`);
  return text;
}

/**
 * A JSON error body for `return`. `fields` are literal JSON members (checked); `dynamic` members read
 * nginx variables and are written by this file only. The ray id is always added, for correlation.
 */
function jsonBody(
  error: string,
  status: number,
  message: string,
  fields: string[] = [],
  dynamic: string[] = [],
): string {
  const members = [
    `"error":${JSON.stringify(error)}`,
    `"status":${status}`,
    `"message":${JSON.stringify(message)}`,
    ...fields,
  ].map(literal);
  return `'{${[...members, ...dynamic, `"ray":"\${edge_cf_ray}"`].join(",")}}'`;
}

function mainContext(o: ResolvedEdgeOptions): string[] {
  return [
    "# cf-proxy edge: rendered by cf-proxy/render.ts from the stack's tenant list. Do not edit by hand.",
    "# Imitates the Cloudflare tunnel in front of production tenants; see cf-proxy/README.md.",
    "worker_processes 1;",
    `pid ${o.pidPath};`,
    "# Container-friendly: errors to stderr, access log to stdout (http block).",
    "error_log stderr warn;",
    "# Open WebSockets must not hold a stop or container replacement for long.",
    "worker_shutdown_timeout 5s;",
    "",
    "events {",
    `    worker_connections ${o.workerConnections};`,
    "}",
  ];
}

function maps(): string[] {
  return [
    "    # CF-Ray, Cloudflare's shape <16 hex>-<COLO>: the first half of nginx's random per-request id.",
    "    map $request_id $edge_cf_ray {",
    `        "~^([0-9a-f]{16})" "$1-${CF_RAY_COLO}";`,
    `        default "0000000000000000-${CF_RAY_COLO}";`,
    "    }",
    "",
    "    # WebSocket: an upgrade is forwarded only when the client asked for one (Upgrade present AND",
    '    # "upgrade" among the Connection tokens, RFC 9110 §7.8); otherwise Upgrade and Connection are',
    "    # dropped, so a keep-alive or stray Upgrade header never reaches the tenant.",
    "    map $http_connection $edge_client_asks_upgrade {",
    '        "~*(^|,)\\s*upgrade\\s*(,|$)" 1;',
    "        default 0;",
    "    }",
    '    map "$edge_client_asks_upgrade:$http_upgrade" $edge_upgrade {',
    '        "~^1:." $http_upgrade;',
    '        default "";',
    "    }",
    "    map $edge_upgrade $edge_connection {",
    '        "" "";',
    "        default upgrade;",
    "    }",
    "",
    "    # Host sent upstream: the client's header unchanged (case, port) when it names the host nginx",
    "    # routed on. They differ only for an absolute-form request line, whose authority wins (RFC 9112",
    "    # §3.2.2) and routed the request: then the routed host is sent, so the tenant never sees another.",
    '    map "$host|$http_host" $edge_forwarded_host {',
    '        "~*^([^|]+)\\|\\1\\.?(:[0-9]{1,5})?$" $http_host;',
    "        default $host;",
    "    }",
    "",
    "    # The Host an unknown-Host answer reports, as a JSON value: null when absent, and withheld",
    "    # unless it is a plain host[:port] (so a crafted Host cannot break the JSON).",
    "    map $http_host $edge_received_host_json {",
    '        "" null;',
    `        "~^[A-Za-z0-9._:\\[\\]-]{1,255}$" '"$http_host"';`,
    `        default '"(withheld: not a plain host name)"';`,
    "    }",
  ];
}

function proxyBehaviour(o: ResolvedEdgeOptions): string[] {
  const lines = [
    "    # Streaming parity with the CF tunnel: nothing is buffered in either direction.",
    "    proxy_http_version 1.1;",
    "    proxy_buffering off;",
    "    proxy_request_buffering off;",
    `    proxy_read_timeout ${o.readTimeoutSeconds}s;`,
    `    proxy_send_timeout ${o.readTimeoutSeconds}s;`,
    `    proxy_connect_timeout ${CONNECT_TIMEOUT_SECONDS}s;`,
    `    client_max_body_size ${o.maxBodySize};`,
    "    # One attempt per request (never replay a POST), and Location headers pass untouched, as at CF.",
    "    proxy_next_upstream off;",
    "    proxy_redirect off;",
    "    # Clients see the same ray id the tenant got (as CF's response header), never a tenant's own.",
    "    proxy_hide_header CF-Ray;",
    "    add_header CF-Ray $edge_cf_ray always;",
    "",
    "    # Request headers the edge owns: the client's values are replaced (X-Forwarded-For: appended).",
    "    # proxy_set_header is only inherited when a level sets none: every one lives here, at http level.",
  ];
  for (const [name, value] of edgeSetHeaders(o.forwardedProto)) {
    // Values are this repo's constants plus the validated proto; only `$` variables are intended.
    lines.push(`    proxy_set_header ${name} '${value}';`);
  }
  lines.push(
    "",
    "    # Cloudflare request headers this edge does not produce: never trusted from a client, removed.",
    "    # nginx-light has no headers-more/njs, so CF-* cannot be matched by pattern: only these names",
    "    # are stripped (STRIPPED_CF_REQUEST_HEADERS in cf-proxy/cf-headers.ts).",
  );
  for (const name of STRIPPED_CF_REQUEST_HEADERS) lines.push(`    proxy_set_header ${name} "";`);
  return lines;
}

function unknownHostServer(o: ResolvedEdgeOptions): string[] {
  const hosts = JSON.stringify(servedHosts(o.tenants));
  const body = jsonBody(
    "unknown_host",
    UNKNOWN_HOST_STATUS,
    "This edge only routes the hosts in served_hosts; the Host header named none of them, so no tenant saw the request.",
    [`"served_hosts":${hosts}`],
    [`"host":\${edge_received_host_json}`],
  );
  return [
    "    # Any Host not listed by a tenant server below (unknown name, IP, bare localhost, none at all)",
    "    # ends here and is refused: never routed to a tenant.",
    "    server {",
    `        listen ${o.listen} default_server;`,
    "        server_name _;",
    "        default_type application/json;",
    `        return ${UNKNOWN_HOST_STATUS} ${body};`,
    "    }",
  ];
}

function tenantServer(o: ResolvedEdgeOptions, tenant: EdgeTenant, index: number): string[] {
  const names = [tenantHost(tenant.name), ...(index === 0 ? [LEGACY_TENANT_HOST] : [])];
  const who = [`"tenant":${JSON.stringify(tenant.name)}`, `"upstream":${JSON.stringify(tenant.upstream)}`];
  // With a resolver, a variable makes nginx resolve per request (cached `valid=` seconds), so a
  // replaced container's new IP is found; without one, the address is fixed when nginx starts.
  const pass =
    o.resolver === null
      ? [`            proxy_pass http://${tenant.upstream};`]
      : [
          `            set $edge_upstream ${tenant.upstream};`,
          "            proxy_pass http://$edge_upstream;",
        ];
  const errorLocation = (status: number, error: string, message: string, extra: string[] = []) => [
    `        location @edge_${status} {`,
    "            default_type application/json;",
    `            return ${status} ${jsonBody(error, status, message, [...who, ...extra])};`,
    "        }",
  ];
  return [
    `    # tenant "${tenant.name}"${index === 0 ? " (first tenant: also the legacy host)" : ""}`,
    "    server {",
    `        listen ${o.listen};`,
    `        server_name ${names.join(" ")};`,
    // nginx's own errors only (proxy_intercept_errors is off): a tenant's 502/504 passes unchanged.
    "        error_page 413 @edge_413;",
    "        error_page 502 @edge_502;",
    "        error_page 504 @edge_504;",
    "        location / {",
    ...pass,
    "        }",
    ...errorLocation(
      413,
      "request_body_too_large",
      "The request body is larger than the edge accepts (client_max_body_size); it was not delivered to the tenant (a streamed body is cut off at the cap).",
      [`"max_body_size":${JSON.stringify(o.maxBodySize)}`],
    ),
    ...errorLocation(
      502,
      "upstream_unreachable",
      "The edge could not get a response from the upstream of this tenant (connection refused or reset, name not resolved, or an invalid response).",
    ),
    ...errorLocation(
      504,
      "upstream_timeout",
      `The upstream of this tenant did not accept the connection or did not answer within the edge timeout (read timeout ${o.readTimeoutSeconds} s).`,
    ),
    "    }",
  ];
}

/** The complete nginx.conf of the edge. Throws (listing every problem) when `options` are invalid. */
export function renderNginxConf(options: EdgeOptions): string {
  const o = resolveEdgeOptions(options);
  const resolver =
    o.resolver === null
      ? ["    # No resolver: upstream addresses are fixed when nginx starts (loopback tier, no Docker)."]
      : [
          "    # Docker's embedded DNS; a short cache so a replaced tenant container's new IP is found again.",
          `    resolver ${o.resolver} valid=${o.resolverValidSeconds}s ipv6=off;`,
          "    resolver_timeout 5s;",
        ];
  const lines = [
    ...mainContext(o),
    "",
    "http {",
    "    server_tokens off;",
    "    # Room for the longest tenant host (harness-tenant-<24 chars>.localhost).",
    "    server_names_hash_bucket_size 128;",
    '    log_format edge escape=json \'{"time":"$time_iso8601","ray":"$edge_cf_ray","client":"$remote_addr",\'',
    '        \'"host":"$http_host","method":"$request_method","uri":"$request_uri","status":$status,\'',
    '        \'"bytes_sent":$bytes_sent,"request_time":$request_time,"upstream":"$upstream_addr",\'',
    '        \'"upstream_status":"$upstream_status","upstream_time":"$upstream_response_time"}\';',
    o.accessLog === null ? "    access_log off;" : `    access_log ${o.accessLog} edge;`,
    "",
    ...resolver,
    "",
    ...maps(),
    "",
    ...proxyBehaviour(o),
    "",
    ...unknownHostServer(o),
    ...o.tenants.flatMap((tenant, index) => ["", ...tenantServer(o, tenant, index)]),
    "}",
    "",
  ];
  return lines.join("\n");
}
