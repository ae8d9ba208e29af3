import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { dockerfileParameter, imageTag, REBUILD_ARG } from "./local-image";

const HASH = "a".repeat(64);
const BUILD = {
  context: "/repo/tenant",
  dockerfile: "Dockerfile",
  buildArgs: { NODE_BASE: "node:20-bookworm-slim", GIT_SHA: "harness" },
  labels: { "harness.stack": "harness/harness", "harness.role": "tenant" },
  useLegacyBuilder: false,
};

describe("imageTag (the content part of a built image's name)", () => {
  test("12 hex, the same for the same context and build inputs, whatever the key order", () => {
    const tag = imageTag(HASH, BUILD);
    assert.match(tag, /^[0-9a-f]{12}$/);
    assert.equal(imageTag(HASH, structuredClone(BUILD)), tag);
    const reordered = {
      useLegacyBuilder: false,
      labels: { "harness.role": "tenant", "harness.stack": "harness/harness" },
      buildArgs: { GIT_SHA: "harness", NODE_BASE: "node:20-bookworm-slim" },
      dockerfile: "Dockerfile",
      context: "/repo/tenant",
    };
    assert.equal(imageTag(HASH, reordered), tag);
    assert.equal(imageTag(HASH, { ...BUILD, target: undefined }), tag, "an unset target is no input");
  });

  test("changes with the context's content and with every build input", () => {
    const tag = imageTag(HASH, BUILD);
    const variants: [string, string][] = [
      ["context content", imageTag("b".repeat(64), BUILD)],
      ["context path", imageTag(HASH, { ...BUILD, context: "/repo/other" })],
      ["dockerfile", imageTag(HASH, { ...BUILD, dockerfile: "Dockerfile.tenant" })],
      [
        "a build arg's value",
        imageTag(HASH, { ...BUILD, buildArgs: { ...BUILD.buildArgs, GIT_SHA: "feedbeef" } }),
      ],
      ["an added build arg", imageTag(HASH, { ...BUILD, buildArgs: { ...BUILD.buildArgs, EXTRA: "" } })],
      [
        "a removed build arg",
        imageTag(HASH, { ...BUILD, buildArgs: { NODE_BASE: "node:20-bookworm-slim" } }),
      ],
      [
        "the rebuild nonce",
        imageTag(HASH, { ...BUILD, buildArgs: { ...BUILD.buildArgs, [REBUILD_ARG]: "n1" } }),
      ],
      [
        "another rebuild nonce",
        imageTag(HASH, { ...BUILD, buildArgs: { ...BUILD.buildArgs, [REBUILD_ARG]: "n2" } }),
      ],
      [
        "a label (stack)",
        imageTag(HASH, { ...BUILD, labels: { ...BUILD.labels, "harness.stack": "harness/ci-7" } }),
      ],
      ["the builder", imageTag(HASH, { ...BUILD, useLegacyBuilder: true })],
      ["the target", imageTag(HASH, { ...BUILD, target: "runtime" })],
      ["another target", imageTag(HASH, { ...BUILD, target: "debug" })],
    ];
    const seen = new Map<string, string>([[tag, "the original"]]);
    for (const [what, changed] of variants) {
      assert.ok(!seen.has(changed), `${what} gives a tag of its own (same as ${seen.get(changed)})`);
      seen.set(changed, what);
    }
  });

  test("the hash and the build cannot be traded for each other (separated)", () => {
    assert.notEqual(imageTag("ab", { c: 1 }), imageTag("a", { bc: 1 }));
    assert.notEqual(imageTag("a\0{}", {}), imageTag("a", {}));
  });
});

describe("dockerfileParameter (the build's dockerfile)", () => {
  const context = join("/", "repo", "tenant");

  test("inside the context: relative, forward slashes, as the docker CLI sends it", () => {
    assert.equal(dockerfileParameter(context, join(context, "Dockerfile")), "Dockerfile");
    assert.equal(
      dockerfileParameter("/monorepo", "/monorepo/workspace-server/Dockerfile.tenant"),
      "workspace-server/Dockerfile.tenant",
    );
    assert.equal(dockerfileParameter("/monorepo/", "/monorepo/a/b/Dockerfile"), "a/b/Dockerfile");
    assert.equal(
      dockerfileParameter(context, join(context, "..Dockerfile")),
      "..Dockerfile",
      "a name starting with ..",
    );
  });

  test("outside the context: the absolute path (the provider adds it to the context)", () => {
    assert.equal(dockerfileParameter(context, "/elsewhere/Dockerfile"), "/elsewhere/Dockerfile");
    assert.equal(
      dockerfileParameter(context, "/repo/Dockerfile"),
      "/repo/Dockerfile",
      "the context's parent",
    );
    assert.equal(
      dockerfileParameter(context, "/repo/tenant-other/Dockerfile"),
      "/repo/tenant-other/Dockerfile",
      "a sibling whose name starts like the context's",
    );
    assert.equal(dockerfileParameter(context, context), context, "the context itself is no file in it");
  });
});
