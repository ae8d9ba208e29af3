import assert from "node:assert/strict";
import { test } from "node:test";
import {
  anchorCompose,
  anchorWaves,
  ANCHOR_TIMING,
  LABEL_BASELINE,
  type AnchorComposeInput,
} from "./anchor-compose";
import { composeSupported } from "./preflight";

const input: AnchorComposeInput = {
  label: "harness/bench-abc123-anchor",
  networkName: "bench-abc123-anchor-net",
  images: {
    postgres: "harness-local/postgres:15",
    redis: "harness-local/redis:7",
    cpStub: "harness-bench-abc123/cp-stub:1",
    tenant: "harness-bench-abc123/tenant:2",
    cfProxy: "harness-bench-abc123/cf-proxy:3",
  },
  probes: {
    cpStub: ["CMD", "node", "/app/healthcheck.js", "x"],
    tenant: ["CMD", "node", "/app/healthcheck.js", "y"],
  },
  tenants: [
    { name: "alpha", env: { ADMIN_TOKEN: "a$b", PORT: "8080" }, postgresPassword: "pw-a" },
    { name: "beta", env: { ADMIN_TOKEN: "c", PORT: "8080" }, postgresPassword: "pw-b" },
  ],
  bindAddress: "127.0.0.1",
  edgePort: 41000,
  cpStubPort: 41001,
  nginxConf: { hostPath: "/tmp/x/nginx.conf", containerPath: "/etc/nginx/nginx.conf", containerPort: 8080 },
};

type Service = {
  image: string;
  labels: Record<string, string>;
  healthcheck: Record<string, unknown>;
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
};

test("anchor compose: three health-gated waves, as the anchor's depends_on", () => {
  const compose = anchorCompose(input);
  assert.deepEqual(anchorWaves(compose), [
    ["cp-stub", "postgres-alpha", "postgres-beta", "redis"],
    ["tenant-alpha", "tenant-beta"],
    ["cf-proxy"],
  ]);
  const services = compose.services as Record<string, Service>;
  assert.deepEqual(services["tenant-beta"].depends_on, {
    "postgres-beta": { condition: "service_healthy" },
    redis: { condition: "service_healthy" },
    "cp-stub": { condition: "service_healthy" },
  });
  for (const dep of Object.values(services["cf-proxy"].depends_on!))
    assert.equal(dep.condition, "service_healthy");
});

test("anchor compose: the anchor's probe timing, the edge without a healthcheck, its config mounted", () => {
  const services = anchorCompose(input).services as Record<string, Service>;
  for (const name of ["postgres-alpha", "postgres-beta", "redis", "cp-stub"])
    assert.deepEqual(
      { ...services[name].healthcheck, test: undefined },
      { ...ANCHOR_TIMING.infra, test: undefined },
      name,
    );
  assert.deepEqual(services["postgres-alpha"].healthcheck.test, [
    "CMD-SHELL",
    "pg_isready -U harness -d molecule",
  ]);
  assert.deepEqual(services["tenant-alpha"].healthcheck, {
    test: input.probes.tenant,
    ...ANCHOR_TIMING.tenant,
  });
  assert.equal(ANCHOR_TIMING.infra.interval, "2s");
  assert.equal(ANCHOR_TIMING.tenant.interval, "5s");
  assert.deepEqual(services["cf-proxy"].healthcheck, { disable: true });
  assert.deepEqual(services["cf-proxy"].volumes, ["/tmp/x/nginx.conf:/etc/nginx/nginx.conf:ro"]);
  assert.deepEqual(services["cf-proxy"].ports, ["127.0.0.1:41000:8080"]);
  assert.equal(services["tenant-alpha"].image, input.images.tenant);
});

test("anchor compose: everything labelled for the clean-up; `$` survives compose's interpolation", () => {
  const compose = anchorCompose(input);
  for (const [name, s] of Object.entries(compose.services as Record<string, Service>)) {
    assert.equal(s.labels["harness.stack"], input.label, name);
    assert.equal(s.labels[LABEL_BASELINE], "anchor", name);
  }
  const net = (compose.networks as Record<string, { name: string; labels: Record<string, string> }>)[
    "harness-net"
  ];
  assert.equal(net.name, input.networkName);
  assert.equal(net.labels["harness.stack"], input.label);
  const services = compose.services as Record<string, Service>;
  assert.equal(services["tenant-alpha"].environment!.ADMIN_TOKEN, "a$$b");
  assert.equal(services["postgres-beta"].environment!.POSTGRES_PASSWORD, "pw-b");
});

test("docker-compose: 1.27+ or v2", () => {
  assert.equal(composeSupported("1.29.2"), true);
  assert.equal(composeSupported("v2.24.0"), true);
  assert.equal(composeSupported("1.25.0"), false);
  assert.equal(composeSupported("garbage"), false);
});
