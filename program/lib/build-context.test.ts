import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { contextHash, planBuildContext } from "./build-context";

const root = mkdtempSync(join(tmpdir(), "build-context-"));
after(() => rmSync(root, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
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
    assert.deepEqual(planBuildContext(dir, join(dir, "Dockerfile")), [
      ".dockerignore",
      "Dockerfile",
      "dist",
      "dist/healthcheck.js",
      "dist/main.js",
    ]);
  });

  test("the Dockerfile and .dockerignore are sent even when excluded (cf-proxy: `*`, `!unconfigured.nginx.conf`)", () => {
    const dir = tree("cf-proxy", {
      ".dockerignore": "*\n!unconfigured.nginx.conf\n",
      Dockerfile: "FROM x\n",
      "unconfigured.nginx.conf": "events {}",
      "render.ts": "no",
    });
    assert.deepEqual(planBuildContext(dir, join(dir, "Dockerfile")), [
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
    assert.deepEqual(planBuildContext(dir, join(dir, "workspace-server/Dockerfile.tenant")), [
      ".dockerignore",
      "README.md",
      "workspace-server",
      "workspace-server/Dockerfile.tenant",
      "workspace-server/main.go",
    ]);
  });

  test("no .dockerignore: everything, symlinks included", () => {
    const dir = tree("plain", { "a.txt": "a", "sub/b.txt": "b" });
    const outside = tree("elsewhere", { "Dockerfile.x": "FROM y\n" });
    symlinkSync("a.txt", join(dir, "link"));
    assert.deepEqual(planBuildContext(dir, join(outside, "Dockerfile.x")), [
      "a.txt",
      "link",
      "sub",
      "sub/b.txt",
    ]);
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

describe("contextHash (the content part of a built image's tag)", () => {
  const files = {
    ".dockerignore": "*.log\n",
    Dockerfile: "FROM x\n",
    "app/main.js": "1",
    "debug.log": "noise",
  };

  test("the same tree hashes the same, whatever the mtimes", () => {
    const a = tree("h-a", files);
    const b = tree("h-b", files);
    utimesSync(join(b, "app/main.js"), new Date(0), new Date(0));
    assert.equal(contextHash(a, join(a, "Dockerfile")), contextHash(b, join(b, "Dockerfile")));
  });

  test("an edit to a file the build receives changes it; an ignored file never does", () => {
    const dir = tree("h-edit", files);
    const before = contextHash(dir, join(dir, "Dockerfile"));
    writeFileSync(join(dir, "debug.log"), "more noise");
    assert.equal(contextHash(dir, join(dir, "Dockerfile")), before, "an ignored file");
    writeFileSync(join(dir, "app/main.js"), "2");
    assert.notEqual(contextHash(dir, join(dir, "Dockerfile")), before, "a file that reaches the build");
  });

  test("a Dockerfile outside the context is part of it", () => {
    const dir = tree("h-out", { "a.txt": "a" });
    const outside = tree("h-out-df", { "Dockerfile.x": "FROM y\n" });
    const before = contextHash(dir, join(outside, "Dockerfile.x"));
    writeFileSync(join(outside, "Dockerfile.x"), "FROM z\n");
    assert.notEqual(contextHash(dir, join(outside, "Dockerfile.x")), before);
  });

  test("a <Dockerfile>.dockerignore that sends a file the context's ignores: that file counts", () => {
    const dir = tree("h-per", {
      ".dockerignore": "*.log\n",
      Dockerfile: "FROM x\n",
      "Dockerfile.dockerignore": "nothing-ignored-here\n",
      "debug.log": "sent by BuildKit",
    });
    const before = contextHash(dir, join(dir, "Dockerfile"));
    writeFileSync(join(dir, "debug.log"), "changed");
    assert.notEqual(contextHash(dir, join(dir, "Dockerfile")), before);
  });
});
