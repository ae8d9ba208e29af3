import assert from "node:assert/strict";
import { test } from "node:test";
import { isCpPathAllowed } from "./cp-proxy";

test("cp proxy allowlist: docs/anchor.md#cp-proxy allowed paths", () => {
  for (const path of [
    "/cp/auth/me",
    "/cp/auth/tenant-member?slug=acme",
    "/cp/auth/login",
    "/cp/auth/",
    "/cp/orgs",
    "/cp/orgs/acme",
    "/cp/orgs/acme/provision-status",
    "/cp/billing/checkout",
    "/cp/templates",
    "/cp/templates/starter",
    "/cp/legal/terms",
  ]) {
    assert.equal(isCpPathAllowed(path), true, path);
  }
});

test("cp proxy allowlist: docs/anchor.md#cp-proxy blocked paths (fail closed)", () => {
  for (const path of [
    "/cp/admin/orgs",
    "/cp/admin/tenants/redeploy-fleet",
    "/cp/workspaces/provision",
    "/cp/internal/usage",
    "/cp/tenants/config",
    "/cp/tenants/backup-report",
    "/cp/",
    "/cp",
    "/cp/auth",
    "/cp/authsomething",
    "/cp/orgsabc",
    "/cp/billing",
    "/cp/legal",
    "/cp/templatesx",
  ]) {
    assert.equal(isCpPathAllowed(path), false, path);
  }
});

test("cp proxy allowlist: no climbing out of an allowed prefix", () => {
  for (const path of [
    "/cp/auth/../admin/orgs",
    "/cp/auth/%2e%2e/admin/orgs",
    "/cp/auth/%2E%2E%2Fadmin%2Forgs",
    "/cp/orgs/./../admin",
    "/cp/auth/..%5cadmin",
    "/cp/auth/%zz",
  ]) {
    assert.equal(isCpPathAllowed(path), false, path);
  }
});
