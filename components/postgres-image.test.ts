/**
 * The stack's postgres image under plain setMocks: built from program/images/postgres/ on the configured
 * base, with the user and database the tenants' URLs name baked in, labelled, content-tagged under
 * the stack's repository, through the engine's provider; the rebuild nonce and the builder reach the
 * build and change the tag.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import * as docker from "@pulumi/docker";
import { PostgresImage } from "./postgres-image";
import { localEngine, recordDeclarations, the, valueOf } from "./test-support/declare";
import { buildOf } from "./test-support/build";

const REPO = join(__dirname, "..");
const IMAGE = "docker:index/remoteImage:RemoteImage";

test("postgres image: program/images/postgres on the configured base, user and db baked in, tagged by content", async () => {
  const declared = await recordDeclarations();
  const engine = localEngine();
  const base = new docker.RemoteImage("base-postgres", { name: "postgres:16-alpine" });
  const common = { engine, repoRoot: REPO, base };
  const image = new PostgresImage("postgres-image", {
    ...common,
    builds: { builder: "BuilderBuildKit", rebuildNonce: "", keepImages: false },
  });
  const nonce = new PostgresImage("pg-nonce", {
    ...common,
    builds: { builder: "BuilderBuildKit", rebuildNonce: "n1", keepImages: true },
  });
  const v1 = new PostgresImage("pg-v1", {
    ...common,
    builds: { builder: "BuilderV1", rebuildNonce: "", keepImages: false },
  });
  assert.equal(await valueOf(image.image.imageId), "sha256:postgres-image-image");
  await Promise.all([valueOf(nonce.image.imageId), valueOf(v1.image.imageId)]);

  const built = the(declared, IMAGE, "postgres-image-image");
  const build = buildOf(built);
  assert.equal(build.context, join(REPO, "program", "images", "postgres"));
  assert.equal(build.dockerfile, "Dockerfile");
  // The user and database the cluster is initialised with at build time: what postgres.ts's URL names.
  assert.deepEqual(build.buildArgs, {
    POSTGRES_BASE: "postgres:16-alpine",
    POSTGRES_USER: "harness",
    POSTGRES_DB: "molecule",
  });
  assert.deepEqual(build.labels, { "harness.stack": "harness/ci-7", "harness.role": "postgres" });
  assert.equal(build.useLegacyBuilder, false);
  assert.equal(built.inputs.keepLocally, false);
  assert.match(String(built.inputs.name), /^harness-ci-7\/postgres:[0-9a-f]{12}$/);
  assert.match(built.provider ?? "", /::engine-provider::/);

  const n = the(declared, IMAGE, "pg-nonce-image");
  assert.equal(buildOf(n).buildArgs.HARNESS_REBUILD, "n1");
  assert.equal(n.inputs.keepLocally, true, "keepImages");
  const legacy = the(declared, IMAGE, "pg-v1-image");
  assert.equal(buildOf(legacy).useLegacyBuilder, true);
  const names = [built, n, legacy].map((d) => String(d.inputs.name));
  assert.equal(new Set(names).size, 3, `the nonce and the builder each give a new tag: ${names.join(", ")}`);
});
