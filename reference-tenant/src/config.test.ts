import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveGitSha } from "./build-info";
import { ConfigError, decodeSecretsKey, DEFAULT_CP_URL, loadConfig } from "./config";

const KEY = Buffer.alloc(32, 1).toString("base64");

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail("expected a ConfigError");
}

test("config: defaults switch every layer off and keep the anchor's defaults", () => {
  const c = loadConfig({});
  assert.equal(c.orgId, "");
  assert.equal(c.cpUpstreamUrl, null);
  assert.equal(c.canvasProxyUrl, null);
  assert.equal(c.adminToken, "");
  assert.equal(c.port, 8080);
  assert.equal(c.host, "0.0.0.0");
  assert.equal(c.platformUrl, "http://host.docker.internal:8080");
  assert.equal(c.rateLimitPerMinute, 600);
  assert.equal(c.cpConfigUrl, DEFAULT_CP_URL);
  assert.equal(c.cpProvisionUrl, DEFAULT_CP_URL);
  assert.equal(c.gitSha, "dev");
  assert.equal(c.production, false);
  assert.equal(c.testTokensEnabled, true);
});

test("config: the harness env turns every layer on", () => {
  const c = loadConfig({
    MOLECULE_ORG_ID: "  harness-org-alpha ",
    CP_UPSTREAM_URL: "http://cp-stub:9090",
    CANVAS_PROXY_URL: "http://127.0.0.1:3000",
    ADMIN_TOKEN: "t",
    MOLECULE_ENV: "production",
    SECRETS_ENCRYPTION_KEY: KEY,
    MOLECULE_CP_URL: "http://cp-stub:9090/",
    CP_PROVISION_URL: "http://cp-stub:9091",
    RATE_LIMIT: "1000",
    PORT: "8080",
    PLATFORM_URL: "http://tenant-alpha:8080",
    MOLECULE_LLM_BASE_URL: "http://cp-stub:9090/llm/openai/v1",
  });
  assert.equal(c.orgId, "harness-org-alpha", "org id is trimmed");
  assert.equal(c.cpUpstreamUrl?.host, "cp-stub:9090");
  assert.equal(c.canvasProxyUrl?.host, "127.0.0.1:3000");
  assert.equal(c.production, true);
  assert.equal(c.testTokensEnabled, false, "test tokens hidden under production");
  assert.equal(c.secretsKey?.length, 32);
  assert.equal(c.cpConfigUrl, "http://cp-stub:9090", "trailing slash trimmed");
  assert.equal(c.cpProvisionUrl, "http://cp-stub:9091", "CP_PROVISION_URL wins for provisioning");
  assert.equal(c.rateLimitPerMinute, 1000);
  assert.equal(c.saasMode, true);
  assert.deepEqual(c.llmEnv, { MOLECULE_LLM_BASE_URL: "http://cp-stub:9090/llm/openai/v1" });
});

test("config: provisioning falls back to MOLECULE_CP_URL", () => {
  assert.equal(loadConfig({ MOLECULE_CP_URL: "http://cp:1" }).cpProvisionUrl, "http://cp:1");
});

test("config: production without SECRETS_ENCRYPTION_KEY is refused with a clear message", () => {
  const problems = problemsOf({ MOLECULE_ENV: "production" });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /SECRETS_ENCRYPTION_KEY is required when MOLECULE_ENV=production/);
  assert.match(problemsOf({ MOLECULE_ENV: "prod", SECRETS_ENCRYPTION_KEY: "" })[0], /is required/);
});

test("config: production with a key of the wrong length is refused", () => {
  const short = Buffer.alloc(16, 1).toString("base64");
  assert.match(
    problemsOf({ MOLECULE_ENV: "production", SECRETS_ENCRYPTION_KEY: short })[0],
    /must be 32 bytes/,
  );
  assert.match(
    problemsOf({ MOLECULE_ENV: "production", SECRETS_ENCRYPTION_KEY: "x".repeat(31) })[0],
    /32 bytes/,
  );
});

test("config: outside production the key is optional", () => {
  assert.equal(loadConfig({ MOLECULE_ENV: "development" }).secretsKey, null);
});

test("config: a bad CP_UPSTREAM_URL is fatal, as the anchor's log.Fatal", () => {
  for (const bad of ["cp-stub:9090", "ftp://cp", "http://", "not a url"]) {
    const problems = problemsOf({ CP_UPSTREAM_URL: bad });
    assert.equal(problems.length, 1, bad);
    assert.match(problems[0], /CP_UPSTREAM_URL must be an http\(s\) URL with a host/);
  }
});

test("config: every problem is reported at once", () => {
  const problems = problemsOf({
    MOLECULE_ENV: "production",
    CP_UPSTREAM_URL: "nope",
    CANVAS_PROXY_URL: "nope",
    PORT: "99999",
    RATE_LIMIT: "zero",
    MOLECULE_CP_URL: "nope",
  });
  assert.equal(problems.length, 6, problems.join("\n"));
});

test("config: dev mode needs development and no ADMIN_TOKEN; it lifts the rate limit", () => {
  assert.equal(loadConfig({ MOLECULE_ENV: "dev" }).devMode, true);
  assert.equal(loadConfig({ MOLECULE_ENV: "dev" }).rateLimitPerMinute, 0);
  assert.equal(loadConfig({ MOLECULE_ENV: "development", ADMIN_TOKEN: "x" }).devMode, false);
  assert.equal(loadConfig({}).devMode, false);
});

test("config: saas mode follows the org id unless MOLECULE_DEPLOY_MODE says otherwise", () => {
  assert.equal(loadConfig({ MOLECULE_ORG_ID: "o" }).saasMode, true);
  assert.equal(loadConfig({ MOLECULE_ORG_ID: "o", MOLECULE_DEPLOY_MODE: "self-hosted" }).saasMode, false);
  assert.equal(loadConfig({ MOLECULE_DEPLOY_MODE: "saas" }).saasMode, true);
  assert.equal(loadConfig({}).saasMode, false);
});

test("config: MOLECULE_ENABLE_TEST_TOKENS=1 re-enables test tokens under production", () => {
  const env = { MOLECULE_ENV: "production", SECRETS_ENCRYPTION_KEY: KEY, MOLECULE_ENABLE_TEST_TOKENS: "1" };
  assert.equal(loadConfig(env).testTokensEnabled, true);
});

test("secrets key: base64 of 32 bytes, or 32 raw characters; nothing else", () => {
  assert.equal(decodeSecretsKey(KEY)?.length, 32);
  assert.deepEqual(
    decodeSecretsKey("harness-test-only-not-for-prod!!"),
    Buffer.from("harness-test-only-not-for-prod!!"),
  );
  assert.equal(decodeSecretsKey(Buffer.alloc(16).toString("base64")), null, "24 chars, decodes to 16 bytes");
  // 32 characters that also decode (to 24 bytes): the raw-32-characters rule takes them, as the anchor's.
  assert.equal(decodeSecretsKey(Buffer.alloc(24).toString("base64"))?.length, 32);
  assert.equal(decodeSecretsKey(""), null);
  assert.equal(decodeSecretsKey("short"), null);
});

test("git sha: baked value wins over the environment; then GIT_SHA; then dev", () => {
  assert.equal(resolveGitSha("abc123", { GIT_SHA: "other" }), "abc123");
  assert.equal(resolveGitSha(null, { GIT_SHA: " fromenv " }), "fromenv");
  assert.equal(resolveGitSha(null, {}), "dev");
  assert.equal(loadConfig({ GIT_SHA: "x" }, { bakedGitSha: "baked" }).gitSha, "baked");
});
