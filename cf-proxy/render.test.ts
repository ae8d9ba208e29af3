import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LEGACY_TENANT_HOST } from "../program/contracts/hosts";
import { requireBinary } from "../tools/loopback/binaries";
import { makeNginxPrefix, testNginxConfig } from "../tools/loopback/nginx";
import { STRIPPED_CF_REQUEST_HEADERS } from "./cf-headers";
import type { EdgeOptions } from "./options";
import { UNKNOWN_HOST_STATUS, renderNginxConf, servedHosts } from "./render";

const tenants = [
  { name: "alpha", upstream: "tenant-alpha:8080" },
  { name: "beta", upstream: "tenant-beta:8080" },
];
const loopbackTenants = [
  { name: "alpha", upstream: "127.0.0.1:41234" },
  { name: "beta", upstream: "127.0.0.1:41235" },
];

/** Directive lines (trimmed, comments and blanks dropped). */
function directives(conf: string): string[] {
  return conf
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

function count(conf: string, line: string): number {
  return directives(conf).filter((l) => l === line).length;
}

/** The body of `return <status> '...'` in the config, with the nginx variables given values, parsed. */
function returnedJson(conf: string, status: number, nth = 0): Record<string, unknown> {
  const bodies = [...conf.matchAll(new RegExp(`return ${status} '(.*)';`, "g"))].map((m) => m[1]);
  assert.ok(bodies[nth] !== undefined, `no return ${status} #${nth} in the config`);
  const filled = bodies[nth]
    .replace("${edge_received_host_json}", '"evil.example"')
    .replace("${edge_cf_ray}", "0123456789abcdef-HRN");
  return JSON.parse(filled) as Record<string, unknown>;
}

/** `nginx -t` with stdout/stderr on a file, so `access_log /dev/stdout` (the container default) opens. */
function nginxTestWithFileStdout(conf: string): { status: number | null; output: string } {
  const prefix = makeNginxPrefix();
  const confPath = join(prefix, "nginx.conf");
  writeFileSync(confPath, conf);
  const outPath = join(prefix, "out.log");
  const out = openSync(outPath, "w");
  try {
    const run = spawnSync(requireBinary("nginx", "nginx-light"), ["-t", "-p", prefix, "-c", confPath], {
      stdio: ["ignore", out, out],
    });
    return { status: run.status, output: readFileSync(outPath, "utf8") };
  } finally {
    closeSync(out);
    rmSync(prefix, { recursive: true, force: true });
  }
}

test("defaults render the container shape: port 8080, Docker DNS, https, 100 s, 100m, /tmp/nginx.pid, stdout log", () => {
  const conf = renderNginxConf({ tenants });
  for (const line of [
    "pid /tmp/nginx.pid;",
    "error_log stderr warn;",
    "worker_connections 1024;",
    "access_log /dev/stdout edge;",
    "resolver 127.0.0.11 valid=1s ipv6=off;",
    "listen 8080 default_server;",
    "proxy_http_version 1.1;",
    "proxy_buffering off;",
    "proxy_request_buffering off;",
    "proxy_read_timeout 100s;",
    "proxy_send_timeout 100s;",
    "client_max_body_size 100m;",
    "proxy_set_header X-Forwarded-Proto 'https';",
    `proxy_set_header CF-Visitor '{"scheme":"https"}';`,
    "set $edge_upstream tenant-alpha:8080;",
    "set $edge_upstream tenant-beta:8080;",
  ]) {
    assert.equal(count(conf, line), 1, `expected exactly one "${line}"`);
  }
  assert.equal(count(conf, "listen 8080;"), 2, "one plain listen per tenant server");
  assert.equal(count(conf, "proxy_pass http://$edge_upstream;"), 2);
});

test("options reach their directives", () => {
  const conf = renderNginxConf({
    tenants: loopbackTenants,
    listen: "127.0.0.1:18080",
    forwardedProto: "http",
    readTimeoutSeconds: 7,
    maxBodySize: "64k",
    resolver: "127.0.0.1:5353",
    resolverValidSeconds: 3,
    pidPath: "/run/edge.pid",
    accessLog: "/var/log/edge.log",
    workerConnections: 99,
  });
  for (const line of [
    "pid /run/edge.pid;",
    "worker_connections 99;",
    "access_log /var/log/edge.log edge;",
    "resolver 127.0.0.1:5353 valid=3s ipv6=off;",
    "listen 127.0.0.1:18080 default_server;",
    "proxy_read_timeout 7s;",
    "client_max_body_size 64k;",
    "proxy_set_header X-Forwarded-Proto 'http';",
    `proxy_set_header CF-Visitor '{"scheme":"http"}';`,
  ]) {
    assert.equal(count(conf, line), 1, `expected exactly one "${line}"`);
  }
  assert.equal(count(conf, "listen 127.0.0.1:18080;"), 2);
  assert.equal(returnedJson(conf, 413).max_body_size, "64k");
  assert.match(String(returnedJson(conf, 504).message), /read timeout 7 s/);
});

test("resolver null: static upstreams, no resolver, no per-request variable", () => {
  const conf = renderNginxConf({ tenants: loopbackTenants, resolver: null, accessLog: null });
  assert.ok(!/^\s*resolver\s/m.test(conf), "no resolver directive");
  assert.ok(!conf.includes("$edge_upstream"));
  assert.equal(count(conf, "proxy_pass http://127.0.0.1:41234;"), 1);
  assert.equal(count(conf, "proxy_pass http://127.0.0.1:41235;"), 1);
  assert.equal(count(conf, "access_log off;"), 1);
});

test("routing: one server per tenant, the legacy host only on the first, unknown Hosts on the default server", () => {
  const conf = renderNginxConf({ tenants: [...tenants, { name: "gamma", upstream: "tenant-gamma:8080" }] });
  const names = directives(conf).filter((l) => l.startsWith("server_name "));
  assert.deepEqual(names, [
    "server_name _;",
    `server_name harness-tenant-alpha.localhost ${LEGACY_TENANT_HOST};`,
    "server_name harness-tenant-beta.localhost;",
    "server_name harness-tenant-gamma.localhost;",
  ]);
  assert.equal(directives(conf).filter((l) => l.startsWith(`return ${UNKNOWN_HOST_STATUS} `)).length, 1);
  const body = returnedJson(conf, UNKNOWN_HOST_STATUS);
  assert.deepEqual(body, {
    error: "unknown_host",
    status: 421,
    message: body.message,
    served_hosts: [
      "harness-tenant-alpha.localhost",
      "harness-tenant-beta.localhost",
      "harness-tenant-gamma.localhost",
      LEGACY_TENANT_HOST,
    ],
    host: "evil.example",
    ray: "0123456789abcdef-HRN",
  });
  assert.match(String(body.message), /served_hosts/);
});

test("error bodies per tenant are valid JSON naming the tenant and its upstream", () => {
  const conf = renderNginxConf({ tenants });
  for (const [status, error] of [
    [413, "request_body_too_large"],
    [502, "upstream_unreachable"],
    [504, "upstream_timeout"],
  ] as const) {
    tenants.forEach((tenant, i) => {
      const body = returnedJson(conf, status, i);
      assert.equal(body.error, error);
      assert.equal(body.status, status);
      assert.equal(body.tenant, tenant.name);
      assert.equal(body.upstream, tenant.upstream);
    });
  }
  assert.equal(count(conf, "error_page 502 @edge_502;"), 2);
});

test("headers: every edge-owned header is set once, every stripped header is emptied, all at http level", () => {
  const conf = renderNginxConf({ tenants });
  for (const line of [
    "proxy_set_header Host '$edge_forwarded_host';",
    "proxy_set_header X-Forwarded-Host '$edge_forwarded_host';",
    "proxy_set_header X-Forwarded-For '$proxy_add_x_forwarded_for';",
    "proxy_set_header X-Real-IP '$remote_addr';",
    "proxy_set_header CF-Connecting-IP '$remote_addr';",
    "proxy_set_header CF-Ray '$edge_cf_ray';",
    "proxy_set_header CDN-Loop 'cloudflare';",
    "proxy_set_header Upgrade '$edge_upgrade';",
    "proxy_set_header Connection '$edge_connection';",
  ]) {
    assert.equal(count(conf, line), 1, `expected exactly one "${line}"`);
  }
  for (const name of STRIPPED_CF_REQUEST_HEADERS) {
    assert.equal(count(conf, `proxy_set_header ${name} "";`), 1, name);
  }
  // proxy_set_header is inherited only by levels that set none: none may appear inside a server.
  const firstServer = conf.indexOf("server {");
  assert.ok(!conf.slice(firstServer).includes("proxy_set_header"), "proxy_set_header inside a server block");
  assert.ok(!conf.slice(firstServer).includes("add_header"), "add_header inside a server block");
});

test("the strip list has no duplicates and no header the edge sets", () => {
  const lower = STRIPPED_CF_REQUEST_HEADERS.map((h) => h.toLowerCase());
  assert.equal(new Set(lower).size, lower.length);
  for (const owned of ["cf-connecting-ip", "cf-ray", "cf-visitor", "cdn-loop", "x-forwarded-for", "host"]) {
    assert.ok(!lower.includes(owned), owned);
  }
});

test("a complete main config: no daemon directive (nginx runs with -g 'daemon off;')", () => {
  const conf = renderNginxConf({ tenants });
  assert.ok(!/^\s*daemon\b/m.test(conf));
  assert.ok(/^events \{$/m.test(conf) && /^http \{$/m.test(conf));
  assert.ok(conf.endsWith("}\n"));
});

test("deterministic: same options give the same bytes; order decides the legacy alias", () => {
  const options: EdgeOptions = { tenants, maxBodySize: "5m" };
  const first = renderNginxConf(options);
  assert.equal(renderNginxConf(structuredClone(options)), first);
  assert.equal(renderNginxConf(options), first);
  const swapped = renderNginxConf({ ...options, tenants: [tenants[1], tenants[0]] });
  assert.notEqual(swapped, first);
  assert.ok(swapped.includes(`server_name harness-tenant-beta.localhost ${LEGACY_TENANT_HOST};`));
  assert.deepEqual(servedHosts([tenants[1], tenants[0]]), [
    "harness-tenant-beta.localhost",
    "harness-tenant-alpha.localhost",
    LEGACY_TENANT_HOST,
  ]);
});

test("invalid options throw before anything is rendered", () => {
  assert.throws(() => renderNginxConf({ tenants: [] }), /at least one tenant/);
  assert.throws(
    () => renderNginxConf({ tenants: [{ name: "a", upstream: "x:1;evil" }] }),
    /invalid cf-proxy edge options/,
  );
});

test("real nginx accepts the container default, byte for byte (stdout on a file, as in Docker)", () => {
  const result = nginxTestWithFileStdout(renderNginxConf({ tenants }));
  assert.equal(result.status, 0, result.output);
});

test("real nginx accepts the loopback shapes, the longest tenant name and many tenants", async () => {
  const longest = "a".repeat(24);
  const many = Array.from({ length: 30 }, (_, i) => ({
    name: `t${i}-${longest.slice(0, 20)}`,
    upstream: `127.0.0.1:${20000 + i}`,
  }));
  for (const options of [
    { tenants: loopbackTenants, resolver: null, accessLog: null },
    { tenants: loopbackTenants, listen: "127.0.0.1:18080", forwardedProto: "http" as const, accessLog: null },
    { tenants: [{ name: longest, upstream: "tenant-long:8080" }], accessLog: null },
    { tenants: many, resolver: null, accessLog: null },
  ]) {
    await testNginxConfig(renderNginxConf(options));
  }
});
