import assert from "node:assert/strict";
import { test } from "node:test";
import { tenantEnv } from "../../program/lib/tenant-env";
import { localTenantEnv } from "./local-tenant-env";

const input = {
  port: 41000,
  canvasPort: 41001,
  databaseUrl: "postgres://harness:pw@127.0.0.1:5433/molecule?sslmode=disable",
  redisUrl: "redis://127.0.0.1:6380",
  cpStubUrl: "http://127.0.0.1:9091",
  orgId: "harness-org-alpha",
  adminToken: "token",
  encryptionKey: "key",
  rateLimit: 1000,
  gitSha: "abc123",
};

test("local tenant env: the program's managed variables, only addresses changed to loopback ports", () => {
  const env = localTenantEnv(input);
  const program = Object.fromEntries(
    tenantEnv({ ...input, alias: "tenant-alpha", extraEnv: {} }).map((e) => [
      e.slice(0, e.indexOf("=")),
      e.slice(e.indexOf("=") + 1),
    ]),
  );
  const changed = ["PORT", "PLATFORM_URL", "CANVAS_PROXY_URL"];
  for (const [key, value] of Object.entries(program)) {
    if (!changed.includes(key)) assert.equal(env[key], value, `${key} as the program sets it`);
  }
  assert.equal(env.MOLECULE_ENV, "production");
  assert.equal(env.CP_PROVISION_URL, "http://127.0.0.1:9091", "no CP call leaves the harness");
  assert.equal(env.PORT, "41000");
  assert.equal(env.HOST, "127.0.0.1", "loopback only");
  assert.equal(env.PLATFORM_URL, "http://127.0.0.1:41000");
  assert.equal(env.CANVAS_PROXY_URL, "http://127.0.0.1:41001");
  assert.equal(env.CANVAS_PORT, "41001");
  assert.equal(env.CANVAS_HOST, "127.0.0.1");
  assert.equal(env.GIT_SHA, "abc123");
});
