import assert from "node:assert/strict";
import { test } from "node:test";
import { EDGE_DEFAULTS, edgeOptionProblems, resolveEdgeOptions, type EdgeOptions } from "./options";

const alpha = { name: "alpha", upstream: "tenant-alpha:8080" };
const beta = { name: "beta", upstream: "tenant-beta:8080" };

test("defaults fill every unset option and keep the tenant order", () => {
  const resolved = resolveEdgeOptions({ tenants: [beta, alpha] });
  assert.deepEqual(resolved, { ...EDGE_DEFAULTS, tenants: [beta, alpha] });
  assert.deepEqual(EDGE_DEFAULTS, {
    listen: "8080",
    forwardedProto: "https",
    readTimeoutSeconds: 100,
    maxBodySize: "100m",
    resolver: "127.0.0.11",
    resolverValidSeconds: 1,
    pidPath: "/tmp/nginx.pid",
    accessLog: "/dev/stdout",
    workerConnections: 1024,
  });
});

test("undefined options mean the default; null resolver and accessLog are kept", () => {
  const resolved = resolveEdgeOptions({
    tenants: [alpha],
    listen: undefined,
    resolver: null,
    accessLog: null,
  });
  assert.equal(resolved.listen, "8080");
  assert.equal(resolved.resolver, null);
  assert.equal(resolved.accessLog, null);
});

test("valid non-default values are accepted", () => {
  const options: EdgeOptions = {
    tenants: [alpha, { name: "b-2", upstream: "127.0.0.1:41234" }, { name: "c", upstream: "[::1]:9" }],
    listen: "127.0.0.1:18080",
    forwardedProto: "http",
    readTimeoutSeconds: 1,
    maxBodySize: "64k",
    resolver: "127.0.0.1:5353",
    resolverValidSeconds: 30,
    pidPath: "/run/edge/nginx.pid",
    accessLog: "/var/log/edge.log",
    workerConnections: 16,
  };
  assert.deepEqual(edgeOptionProblems(options), []);
  for (const listen of ["80", "0.0.0.0:8080", "[::]:8080", "*:8080"]) {
    assert.deepEqual(edgeOptionProblems({ tenants: [alpha], listen }), [], listen);
  }
  for (const size of ["0", "100", "1K", "100m", "2G"]) {
    assert.deepEqual(edgeOptionProblems({ tenants: [alpha], maxBodySize: size }), [], size);
  }
  for (const resolver of ["127.0.0.11", "10.0.0.2:53", "[::1]", "[fd00::1]:53"]) {
    assert.deepEqual(edgeOptionProblems({ tenants: [alpha], resolver }), [], resolver);
  }
});

// Each bad input, and a phrase its message must contain (the message must say what is wrong).
const bad: [string, EdgeOptions, RegExp][] = [
  ["no tenants", { tenants: [] }, /at least one tenant/],
  ["tenants not a list", { tenants: undefined as unknown as [] }, /at least one tenant/],
  [
    "duplicate name",
    { tenants: [alpha, { name: "alpha", upstream: "x:1" }] },
    /harness-tenant-alpha\.localhost is already served/,
  ],
  [
    "uppercase name",
    { tenants: [{ name: "Alpha", upstream: "x:1" }] },
    /tenants\[0\]\.name "Alpha" is not a tenant name/,
  ],
  ["name with a dot", { tenants: [{ name: "a.b", upstream: "x:1" }] }, /not a tenant name/],
  ["name too long", { tenants: [{ name: "a".repeat(25), upstream: "x:1" }] }, /not a tenant name/],
  ["missing name", { tenants: [{ upstream: "x:1" } as never] }, /tenants\[0\]\.name undefined/],
  [
    "upstream with scheme",
    { tenants: [{ name: "a", upstream: "http://x:1" }] },
    /must be "host:port" with no scheme/,
  ],
  ["upstream with path", { tenants: [{ name: "a", upstream: "x:1/api" }] }, /no scheme or path/],
  ["upstream without port", { tenants: [{ name: "a", upstream: "tenant-a" }] }, /"host:port"/],
  ["upstream port 0", { tenants: [{ name: "a", upstream: "x:0" }] }, /"host:port"/],
  ["upstream port too big", { tenants: [{ name: "a", upstream: "x:70000" }] }, /port 70000 is out of range/],
  ["upstream injection", { tenants: [{ name: "a", upstream: "x:1; include /etc/passwd" }] }, /"host:port"/],
  [
    "shared upstream",
    { tenants: [alpha, { name: "b", upstream: "TENANT-alpha:8080" }] },
    /already the upstream of tenant "alpha"/,
  ],
  ["listen word", { tenants: [alpha], listen: "eight" }, /listen "eight" must be/],
  ["listen options", { tenants: [alpha], listen: "8080 default_server" }, /listen .* must be/],
  [
    "listen port range",
    { tenants: [alpha], listen: "127.0.0.1:65536" },
    /listen: port 65536 is out of range/,
  ],
  [
    "proto",
    { tenants: [alpha], forwardedProto: "wss" as never },
    /forwardedProto "wss" must be "http" or "https"/,
  ],
  [
    "timeout zero",
    { tenants: [alpha], readTimeoutSeconds: 0 },
    /readTimeoutSeconds must be a whole number from 1/,
  ],
  ["timeout negative", { tenants: [alpha], readTimeoutSeconds: -5 }, /readTimeoutSeconds/],
  ["timeout fraction", { tenants: [alpha], readTimeoutSeconds: 1.5 }, /readTimeoutSeconds/],
  ["timeout string", { tenants: [alpha], readTimeoutSeconds: "100" as never }, /readTimeoutSeconds/],
  ["size unit", { tenants: [alpha], maxBodySize: "100mb" }, /maxBodySize "100mb" must use nginx size syntax/],
  ["size words", { tenants: [alpha], maxBodySize: "lots" }, /maxBodySize/],
  ["size negative", { tenants: [alpha], maxBodySize: "-1" }, /maxBodySize/],
  ["size number", { tenants: [alpha], maxBodySize: 100 as never }, /maxBodySize/],
  [
    "resolver name",
    { tenants: [alpha], resolver: "dns.local" },
    /resolver "dns.local" must be an IP address/,
  ],
  ["resolver port", { tenants: [alpha], resolver: "127.0.0.11:99999" }, /resolver: port 99999/],
  ["resolver valid", { tenants: [alpha], resolverValidSeconds: 0 }, /resolverValidSeconds/],
  [
    "pid relative",
    { tenants: [alpha], pidPath: "nginx.pid" },
    /pidPath "nginx.pid" must be an absolute path/,
  ],
  ["pid shell", { tenants: [alpha], pidPath: "/tmp/$(id).pid" }, /pidPath/],
  ["access log relative", { tenants: [alpha], accessLog: "access.log" }, /accessLog "access.log" must be/],
  ["workers too few", { tenants: [alpha], workerConnections: 8 }, /workerConnections must be at least 16/],
  [
    "workers not integer",
    { tenants: [alpha], workerConnections: 10.5 },
    /workerConnections must be a whole number/,
  ],
];

for (const [what, options, message] of bad) {
  test(`invalid: ${what}`, () => {
    const problems = edgeOptionProblems(options);
    assert.ok(
      problems.some((p) => message.test(p)),
      `expected a problem matching ${message}, got ${JSON.stringify(problems)}`,
    );
    assert.throws(() => resolveEdgeOptions(options), /invalid cf-proxy edge options/);
  });
}

test("every problem is reported at once, one line each", () => {
  const options = {
    tenants: [{ name: "Bad", upstream: "nope" }],
    listen: "x",
    forwardedProto: "ftp",
    readTimeoutSeconds: 0,
    maxBodySize: "big",
  } as unknown as EdgeOptions;
  assert.equal(edgeOptionProblems(options).length, 6);
  assert.throws(
    () => resolveEdgeOptions(options),
    (error: Error) => error.message.split("\n").filter((l) => l.startsWith("  - ")).length === 6,
  );
});
