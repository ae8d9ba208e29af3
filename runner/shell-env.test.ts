import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { anchorTenants, envPrefix, harnessEnv, suiteEnv } from "./shell-env";
import { makeTarget, SEED } from "./test-support/fixtures";

describe("shell env", () => {
  test("the anchor's names for tenants alpha and beta", () => {
    const env = harnessEnv({
      target: makeTarget({
        edgeUrl: "http://127.0.0.1:8080",
        cpStubUrl: "http://127.0.0.1:9191",
        expectedGitSha: "abc123",
      }),
      seed: SEED,
      helpersFile: "/repo/runner/shell/replay-helpers.sh",
    });
    assert.deepEqual(
      {
        BASE: env.BASE,
        TENANT_HOST: env.TENANT_HOST,
        ALPHA_HOST: env.ALPHA_HOST,
        BETA_HOST: env.BETA_HOST,
        ADMIN_TOKEN: env.ADMIN_TOKEN,
        ORG_ID: env.ORG_ID,
        ALPHA_ADMIN_TOKEN: env.ALPHA_ADMIN_TOKEN,
        ALPHA_ORG_ID: env.ALPHA_ORG_ID,
        BETA_ADMIN_TOKEN: env.BETA_ADMIN_TOKEN,
        BETA_ORG_ID: env.BETA_ORG_ID,
        CP_STUB_BASE: env.CP_STUB_BASE,
        ALPHA_PARENT_ID: env.ALPHA_PARENT_ID,
        ALPHA_CHILD_ID: env.ALPHA_CHILD_ID,
        BETA_PARENT_ID: env.BETA_PARENT_ID,
        BETA_CHILD_ID: env.BETA_CHILD_ID,
        ALPHA_ID: env.ALPHA_ID,
        BETA_ID: env.BETA_ID,
        ALPHA_WORKSPACE_ID: env.ALPHA_WORKSPACE_ID,
        BETA_WORKSPACE_ID: env.BETA_WORKSPACE_ID,
        HARNESS_GIT_SHA: env.HARNESS_GIT_SHA,
        HARNESS_HELPERS: env.HARNESS_HELPERS,
        ALPHA_DATABASE_URL: env.ALPHA_DATABASE_URL,
        DATABASE_URL: env.DATABASE_URL,
      },
      {
        BASE: "http://127.0.0.1:8080",
        TENANT_HOST: "harness-tenant.localhost",
        ALPHA_HOST: "harness-tenant-alpha.localhost",
        BETA_HOST: "harness-tenant-beta.localhost",
        ADMIN_TOKEN: "token-alpha",
        ORG_ID: "org-alpha",
        ALPHA_ADMIN_TOKEN: "token-alpha",
        ALPHA_ORG_ID: "org-alpha",
        BETA_ADMIN_TOKEN: "token-beta",
        BETA_ORG_ID: "org-beta",
        CP_STUB_BASE: "http://127.0.0.1:9191",
        ALPHA_PARENT_ID: SEED.tenants.alpha.parent,
        ALPHA_CHILD_ID: SEED.tenants.alpha.child,
        BETA_PARENT_ID: SEED.tenants.beta.parent,
        BETA_CHILD_ID: SEED.tenants.beta.child,
        ALPHA_ID: SEED.tenants.alpha.parent,
        // As the anchor's seed.sh: the legacy BETA_ID is alpha's CHILD, not tenant beta.
        BETA_ID: SEED.tenants.alpha.child,
        ALPHA_WORKSPACE_ID: SEED.tenants.alpha.parent,
        BETA_WORKSPACE_ID: SEED.tenants.beta.parent,
        HARNESS_GIT_SHA: "abc123",
        HARNESS_HELPERS: "/repo/runner/shell/replay-helpers.sh",
        ALPHA_DATABASE_URL: "postgres://u:p@127.0.0.1:9/alpha",
        DATABASE_URL: "postgres://u:p@127.0.0.1:9/alpha",
      },
    );
  });

  test("any tenant names: <NAME>_* for each, ALPHA/BETA = first/next in config order", () => {
    const base = makeTarget();
    const target = makeTarget({
      tenants: [
        { ...base.tenants[0], name: "red-team", host: "harness-tenant-red-team.localhost" },
        { ...base.tenants[1], name: "blue", host: "harness-tenant-blue.localhost" },
      ],
    });
    const seed = { tenants: { "red-team": SEED.tenants.alpha, blue: SEED.tenants.beta } };
    const env = harnessEnv({ target, seed, helpersFile: "/h" });
    assert.equal(env.RED_TEAM_HOST, "harness-tenant-red-team.localhost");
    assert.equal(env.RED_TEAM_PARENT_ID, SEED.tenants.alpha.parent);
    assert.equal(env.BLUE_ORG_ID, "org-beta");
    assert.equal(env.ALPHA_HOST, "harness-tenant-red-team.localhost");
    assert.equal(env.BETA_HOST, "harness-tenant-blue.localhost");
    assert.equal(env.BETA_PARENT_ID, SEED.tenants.beta.parent);
    assert.equal(env.BETA_ID, SEED.tenants.alpha.child);
    assert.equal(env.HARNESS_TENANTS, "red-team blue");
    assert.equal(env.HARNESS_GIT_SHA, undefined, "not set when the target does not know it");
    const unpublished = harnessEnv({ target: makeTarget({ cpStubUrl: "" }), seed: SEED, helpersFile: "/h" });
    assert.equal("CP_STUB_BASE" in unpublished, false, "no cp-stub on the host: not exported");
  });

  test("anchorTenants: literal names win wherever they are; one tenant has no BETA", () => {
    const t = (name: string) => ({ ...makeTarget().tenants[0], name });
    assert.deepEqual(
      Object.values(anchorTenants([t("gamma"), t("beta"), t("alpha")])).map((x) => x?.name),
      ["alpha", "beta"],
    );
    assert.deepEqual(
      Object.values(anchorTenants([t("beta"), t("gamma")])).map((x) => x?.name),
      ["gamma", "beta"],
    );
    assert.deepEqual(
      Object.values(anchorTenants([t("gamma"), t("alpha")])).map((x) => x?.name),
      ["alpha", "gamma"],
    );
    const single = anchorTenants([t("solo")]);
    assert.equal(single.alpha.name, "solo");
    assert.equal(single.beta, undefined);
    assert.equal(
      harnessEnv({ target: makeTarget({ tenants: [t("solo")] }), seed: SEED, helpersFile: "/h" }).BETA_HOST,
      undefined,
    );
  });

  test("envPrefix", () => {
    assert.equal(envPrefix("alpha"), "ALPHA");
    assert.equal(envPrefix("red-team-2"), "RED_TEAM_2");
  });
});

test("suiteEnv: a URL per tenant host on the edge's port, the legacy host's, BASE_URL and CP_STUB_URL", () => {
  const base = makeTarget();
  const target = makeTarget({
    edgeUrl: "http://127.0.0.1:41234",
    cpStubUrl: "",
    tenants: [
      { ...base.tenants[0], name: "red-team", host: "harness-tenant-red-team.localhost" },
      { ...base.tenants[1], name: "blue", host: "harness-tenant-blue.localhost" },
    ],
  });
  assert.deepEqual(suiteEnv(target), {
    RED_TEAM_URL: "http://harness-tenant-red-team.localhost:41234",
    BLUE_URL: "http://harness-tenant-blue.localhost:41234",
    ALPHA_URL: "http://harness-tenant-red-team.localhost:41234",
    BETA_URL: "http://harness-tenant-blue.localhost:41234",
    TENANT_URL: "http://harness-tenant.localhost:41234",
    BASE_URL: "http://127.0.0.1:41234",
  });
  assert.equal(
    suiteEnv(makeTarget({ cpStubUrl: "http://127.0.0.1:9191" })).CP_STUB_URL,
    "http://127.0.0.1:9191",
  );
});
