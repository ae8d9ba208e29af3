/**
 * The image under test under plain setMocks, for each source: the reference tenant (reference-tenant/ on the
 * node base, GIT_SHA), a user's context + Dockerfile (its args, GIT_SHA from gitSha whatever the args
 * say, its target), and a prebuilt image (pulled, kept). A built tag follows every build input: a new
 * GIT_SHA, the rebuild nonce or the builder is a new image.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as docker from "@pulumi/docker";
import type { TenantImageSource } from "../program/config/schema";
import { TenantImage } from "./tenant-image";
import { allOf, localEngine, recordDeclarations, the, valueOf } from "./test-support/declare";
import { buildOf } from "./test-support/build";

// One recorder per file: a component registers its outputs after the test awaited it, and a
// second setMocks would drop the resources it still reports on. Each test uses names of its own.
const recording = recordDeclarations().then((declared) => ({ declared, engine: localEngine() }));

const REPO = join(__dirname, "..");
const IMAGE = "docker:index/remoteImage:RemoteImage";

const work = mkdtempSync(join(tmpdir(), "tenant-image-test-"));
after(() => rmSync(work, { recursive: true, force: true }));

test("tenant image, reference: built from reference-tenant/ on the node base with GIT_SHA; its id is the ref", async () => {
  const { declared, engine } = await recording;
  const nodeBase = new docker.RemoteImage("base-node", { name: "harness-local/node:20" });
  const common = { engine, repoRoot: REPO, nodeBase };
  const reference: TenantImageSource = { kind: "reference" };
  const image = new TenantImage("tenant-image", {
    ...common,
    source: reference,
    gitSha: "feedbeef",
    builds: { builder: "BuilderBuildKit", rebuildNonce: "", keepImages: false },
  });
  // The same, each with one build input changed: [what, component name].
  const variants: [string, string][] = [
    ["another GIT_SHA", "ti-sha"],
    ["a rebuild nonce", "ti-nonce"],
    ["the legacy builder", "ti-v1"],
  ];
  const changed = [
    new TenantImage("ti-sha", {
      ...common,
      source: reference,
      gitSha: "c0ffee00",
      builds: { builder: "BuilderBuildKit", rebuildNonce: "", keepImages: false },
    }),
    new TenantImage("ti-nonce", {
      ...common,
      source: reference,
      gitSha: "feedbeef",
      builds: { builder: "BuilderBuildKit", rebuildNonce: "n1", keepImages: false },
    }),
    new TenantImage("ti-v1", {
      ...common,
      source: reference,
      gitSha: "feedbeef",
      builds: { builder: "BuilderV1", rebuildNonce: "", keepImages: false },
    }),
  ];
  assert.equal(await valueOf(image.ref), "sha256:tenant-image-image", "tenants run the built image's id");
  await Promise.all(changed.map((v) => valueOf(v.ref)));

  const built = the(declared, IMAGE, "tenant-image-image");
  const build = buildOf(built);
  assert.equal(build.context, join(REPO, "reference-tenant"));
  assert.equal(build.dockerfile, "Dockerfile", "relative to the context, as the docker CLI sends it");
  assert.deepEqual(build.buildArgs, { NODE_BASE: "harness-local/node:20", GIT_SHA: "feedbeef" });
  assert.equal(build.useLegacyBuilder, false);
  assert.equal(build.target, undefined);
  assert.deepEqual(build.labels, { "harness.stack": "harness/ci-7", "harness.role": "tenant" });
  assert.equal(built.inputs.keepLocally, false, "removed on destroy unless the stack keeps its images");
  assert.match(built.provider ?? "", /::engine-provider::/, "built on the stack's engine");
  const name = String(built.inputs.name);
  assert.match(name, /^harness-ci-7\/tenant:[0-9a-f]{12}$/);

  const nonce = buildOf(the(declared, IMAGE, "ti-nonce-image"));
  assert.equal(nonce.buildArgs.HARNESS_REBUILD, "n1", "the nonce reaches the Dockerfile");
  assert.equal(buildOf(the(declared, IMAGE, "ti-v1-image")).useLegacyBuilder, true);
  const tags = new Map<string, string>([[name, "the original"]]);
  for (const [what, variant] of variants) {
    const vName = String(the(declared, IMAGE, `${variant}-image`).inputs.name);
    assert.ok(!tags.has(vName), `${what} is a new tag (same as ${tags.get(vName)}): a rebuild`);
    tags.set(vName, what);
  }
  assert.deepEqual(
    allOf(declared, IMAGE).filter((n) => n.endsWith("-pulled")),
    [],
    "nothing pulled",
  );
});

test("tenant image, build: the user's context, Dockerfile, args and target; GIT_SHA from gitSha only", async () => {
  const { declared, engine } = await recording;
  const context = join(work, "monorepo");
  mkdirSync(join(context, "workspace-server"), { recursive: true });
  writeFileSync(join(context, "workspace-server", "Dockerfile.tenant"), "FROM scratch\n");
  writeFileSync(join(context, "main.go"), "package main\n");
  const outside = join(work, "Dockerfile.outside");
  writeFileSync(outside, "FROM scratch\n");
  const common = { engine, repoRoot: REPO, gitSha: "feedbeef" };
  const image = new TenantImage("ti-build", {
    ...common,
    source: {
      kind: "build",
      context,
      dockerfile: join(context, "workspace-server", "Dockerfile.tenant"),
      args: { GO_VERSION: "1.23", GIT_SHA: "from-args" },
      target: "runtime",
    },
    builds: { builder: "BuilderBuildKit", rebuildNonce: "", keepImages: true },
  });
  const elsewhere = new TenantImage("ti-outside", {
    ...common,
    source: { kind: "build", context, dockerfile: outside, args: {} },
    builds: { builder: "BuilderBuildKit", rebuildNonce: "", keepImages: false },
  });
  await valueOf(image.ref);
  await valueOf(elsewhere.ref);

  const built = the(declared, IMAGE, "ti-build-image");
  const build = buildOf(built);
  assert.equal(build.context, context);
  assert.equal(build.dockerfile, "workspace-server/Dockerfile.tenant");
  assert.deepEqual(build.buildArgs, { GO_VERSION: "1.23", GIT_SHA: "feedbeef" }, "gitSha wins, no NODE_BASE");
  assert.equal(build.target, "runtime");
  assert.equal(built.inputs.keepLocally, true, "keepImages");
  assert.match(String(built.inputs.name), /^harness-ci-7\/tenant:[0-9a-f]{12}$/);
  const out = buildOf(the(declared, IMAGE, "ti-outside-image"));
  assert.equal(out.dockerfile, outside, "a Dockerfile outside the context: absolute");
  assert.deepEqual(out.buildArgs, { GIT_SHA: "feedbeef" });
});

test("tenant image, prebuilt: pulled by its reference and kept; its id is the ref; nothing built", async () => {
  const { declared, engine } = await recording;
  const image = new TenantImage("ti-pulled", {
    engine,
    repoRoot: REPO,
    source: { kind: "image", image: "ghcr.io/acme/tenant:1.2.3" },
    gitSha: "feedbeef",
    builds: { builder: "BuilderBuildKit", rebuildNonce: "n1", keepImages: false },
  });
  assert.equal(await valueOf(image.ref), "sha256:ti-pulled-pulled");

  const pulled = the(declared, IMAGE, "ti-pulled-pulled");
  assert.equal(pulled.inputs.name, "ghcr.io/acme/tenant:1.2.3");
  assert.equal(pulled.inputs.keepLocally, true, "a prebuilt image is never removed by destroy");
  assert.equal(pulled.inputs.build, undefined);
  assert.match(pulled.provider ?? "", /::engine-provider::/);
  assert.deepEqual(
    allOf(declared, IMAGE).filter((n) => n.startsWith("ti-pulled-")),
    ["ti-pulled-pulled"],
    "nothing built",
  );
});

test("tenant image, reference without the node base: an internal error, not a broken build", async () => {
  const { engine } = await recording;
  assert.throws(
    () =>
      new TenantImage("ti-noref", {
        engine,
        repoRoot: REPO,
        source: { kind: "reference" },
        gitSha: "feedbeef",
        builds: { builder: "BuilderBuildKit", rebuildNonce: "", keepImages: false },
      }),
    /reference tenant needs the node base image/,
  );
});
