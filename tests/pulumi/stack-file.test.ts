/**
 * L2 acceptance: index.ts loaded with Pulumi.harness.yaml's config — as the CLI would hand it over —
 * registers the full two-tenant topology; the committed stack file opens with the documented
 * default passphrase.
 */
import assert from "node:assert/strict";
import { createDecipheriv, pbkdf2Sync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse as parseYaml } from "yaml";
import { expectedInventory, FIXTURE_REPLAYS, Graph, STUBS } from "./test-support";
import { loadProgram, loadProgramIsolated, projectName, REPO_ROOT, stackConfig } from "./load-program";

/** The documented default passphrase of the local stack (docs/pulumi.md). */
const DEFAULT_PASSPHRASE = "harness-local-only";

function harnessStackConfig(): Record<string, string> {
  const config = stackConfig("harness");
  // The replays themselves live in replays/ (runner branch); until that directory exists in this
  // checkout, point the otherwise verbatim stack config at the fixture replays.
  if (!existsSync(join(REPO_ROOT, "replays")))
    config["harness:replays"] = JSON.stringify({ dir: FIXTURE_REPLAYS });
  return config;
}

test("Pulumi.yaml: nodejs/TypeScript program with a file backend in the repo", () => {
  const project = parseYaml(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
  assert.equal(project.name, "harness");
  assert.deepEqual(project.runtime, { name: "nodejs", options: { typescript: true, packagemanager: "npm" } });
  assert.equal(project.main, "index.ts");
  assert.equal(project.backend.url, "file://.");
  assert.match(
    readFileSync(join(REPO_ROOT, ".gitignore"), "utf8"),
    /^\.pulumi\/$/m,
    "the state directory is git-ignored",
  );
});

test("Pulumi.harness.yaml: two tenants, edge on 8080, the reference tenant", () => {
  const config = stackConfig("harness");
  assert.deepEqual(JSON.parse(config["harness:tenants"]), [{ name: "alpha" }, { name: "beta" }]);
  assert.deepEqual(JSON.parse(config["harness:edge"]), { port: 8080 });
  assert.equal(config["harness:tenantImage"], undefined, "no tenantImage: the reference tenant");
});

test("loading index.ts with Pulumi.harness.yaml's config registers the full two-tenant topology", async () => {
  const g = new Graph(
    await loadProgram({ stack: "harness", config: harnessStackConfig(), moduleStubs: STUBS }),
  );
  assert.deepEqual(g.inventory(), expectedInventory(["alpha", "beta"]));
  assert.equal(g.result.outputs.edgeUrl, "http://127.0.0.1:8080");
  assert.deepEqual(Object.keys(g.result.outputs.tenants as object), ["alpha", "beta"]);
  assert.equal(projectName(), "harness");
});

test("the isolated loader (fresh process) gives the same graph as the in-process one", async () => {
  const options = { stack: "harness", config: harnessStackConfig(), moduleStubs: STUBS };
  const inProcess = new Graph(await loadProgram(options));
  const isolated = new Graph(await loadProgramIsolated(options));
  assert.deepEqual(isolated.inventory(), inProcess.inventory());
  assert.deepEqual(isolated.result.outputs, inProcess.result.outputs);
  assert.deepEqual(isolated.result.secretOutputs, inProcess.result.secretOutputs);
  assert.deepEqual(
    isolated.result.resources.map((r) => [r.name, r.inputs, r.dependencies.length]),
    inProcess.result.resources.map((r) => [r.name, r.inputs, r.dependencies.length]),
  );
});

test("the committed encryption salt opens with the documented default passphrase", () => {
  const salt = String(parseYaml(readFileSync(join(REPO_ROOT, "Pulumi.harness.yaml"), "utf8")).encryptionsalt);
  // Pulumi's passphrase provider: v1:<salt>:v1:<nonce>:<AES-256-GCM("pulumi") || tag>, key = PBKDF2-SHA256(passphrase, salt, 1e6).
  const [v1, saltB64, v1b, nonceB64, sealedB64] = salt.split(":");
  assert.equal(v1, "v1");
  assert.equal(v1b, "v1");
  const key = pbkdf2Sync(DEFAULT_PASSPHRASE, Buffer.from(saltB64, "base64"), 1_000_000, 32, "sha256");
  const sealed = Buffer.from(sealedB64, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonceB64, "base64"));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  const plain = Buffer.concat([
    decipher.update(sealed.subarray(0, sealed.length - 16)),
    decipher.final(),
  ]).toString();
  assert.equal(plain, "pulumi");
});
