import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { packBuildContext, planBuildContext } from "./build-context";

const root = mkdtempSync(join(tmpdir(), "e2e-context-"));
after(() => rmSync(root, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

async function tarListing(dir: string, plan: ReturnType<typeof planBuildContext>): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of packBuildContext(dir, plan)) chunks.push(chunk as Buffer);
  const listed = spawnSync("tar", ["-tvf", "-"], { input: Buffer.concat(chunks), encoding: "utf8" });
  assert.equal(listed.status, 0, listed.stderr);
  return listed.stdout.trim().split("\n");
}

describe("build context (what `docker build` receives)", () => {
  test("only-dist contexts (cp-stub, tenant): `*` then `!Dockerfile`, `!dist`", () => {
    const dir = tree("cp-stub", {
      ".dockerignore": "*\n!Dockerfile\n!dist\n",
      Dockerfile: "FROM x\n",
      "dist/main.js": "1",
      "dist/healthcheck.js": "2",
      "src/main.ts": "secret sources",
      "client.test.ts": "tests",
    });
    const plan = planBuildContext(dir, join(dir, "Dockerfile"));
    assert.deepEqual(plan.entries, [
      ".dockerignore",
      "Dockerfile",
      "dist",
      "dist/healthcheck.js",
      "dist/main.js",
    ]);
    assert.equal(plan.dockerfile, "Dockerfile");
  });

  test("the Dockerfile and .dockerignore are sent even when excluded (cf-proxy: `*`, `!unconfigured.nginx.conf`)", () => {
    const dir = tree("cf-proxy", {
      ".dockerignore": "*\n!unconfigured.nginx.conf\n",
      Dockerfile: "FROM x\n",
      "unconfigured.nginx.conf": "events {}",
      "render.ts": "no",
    });
    assert.deepEqual(planBuildContext(dir, join(dir, "Dockerfile")).entries, [
      ".dockerignore",
      "Dockerfile",
      "unconfigured.nginx.conf",
    ]);
  });

  test("Docker's pattern semantics: `**`, exceptions, directories", () => {
    const dir = tree("monorepo", {
      ".dockerignore": "**/node_modules\n*.md\n!README.md\nsecrets/\n",
      "workspace-server/Dockerfile.tenant": "FROM x\n",
      "workspace-server/main.go": "package main",
      "workspace-server/node_modules/x/index.js": "x",
      "node_modules/y/index.js": "y",
      "NOTES.md": "n",
      "README.md": "r",
      "secrets/key": "k",
    });
    const plan = planBuildContext(dir, join(dir, "workspace-server/Dockerfile.tenant"));
    assert.deepEqual(plan.entries, [
      ".dockerignore",
      "README.md",
      "workspace-server",
      "workspace-server/Dockerfile.tenant",
      "workspace-server/main.go",
    ]);
    assert.equal(plan.dockerfile, "workspace-server/Dockerfile.tenant");
  });

  test("no .dockerignore: everything; a Dockerfile outside the context is added under a generated name", async () => {
    const dir = tree("plain", { "a.txt": "a", "sub/b.txt": "b" });
    const outside = tree("elsewhere", { "Dockerfile.x": "FROM y\n" });
    symlinkSync("a.txt", join(dir, "link"));
    const plan = planBuildContext(dir, join(outside, "Dockerfile.x"));
    assert.deepEqual(plan.entries, ["a.txt", "link", "sub", "sub/b.txt"]);
    assert.match(plan.dockerfile, /^\.dockerfile\.[0-9a-f]{20}$/);
    const listing = await tarListing(dir, plan);
    assert.ok(
      listing.some((l) => l.endsWith(plan.dockerfile)),
      "the external Dockerfile is in the tar",
    );
    assert.ok(
      listing.some((l) => l.startsWith("l") && l.includes("link -> a.txt")),
      "symlinks stay symlinks",
    );
    for (const line of listing) assert.match(line, /\s0\/0\s/, `owned by root: ${line}`);
  });

  test("a missing context or Dockerfile is an error naming it", () => {
    assert.throws(
      () => planBuildContext(join(root, "nope"), "Dockerfile"),
      /build context .*nope does not exist/,
    );
    const dir = tree("nodockerfile", { "a.txt": "a" });
    assert.throws(() => planBuildContext(dir, join(dir, "Dockerfile")), /Dockerfile .* does not exist/);
  });
});
