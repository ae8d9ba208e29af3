/** The ENV a Dockerfile bakes into its image, read from its text (tools/config-lint/dockerfile.ts). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { dockerfileEnv, instructions, word } from "./dockerfile";
import { BadInput } from "./errors";
import { fixture, REPO_ROOT } from "./test-support";

const multistage = readFileSync(fixture("dockerfile/Dockerfile.multistage"), "utf8");

test("the target stage's ENV, inherited from the stage it is built FROM, with ARG defaults substituted", () => {
  assert.deepEqual(Object.fromEntries(dockerfileEnv(multistage, { target: "runtime" })), {
    BUILD_ONLY: "1",
    APP_DIR: "/srv/app",
    NODE_ENV: "production",
    GREETING: "hello world",
    SHA: "dev",
    LEGACY_FORM: "some value with spaces",
    HOME_DIR: "/srv/app/home",
    DEFAULTED: "eu-west-1",
    ALT: "has-sha",
    SINGLE: "$NOT_EXPANDED",
    CHAINED: "production-x",
  });
});

test("build args win over ARG defaults; a case-insensitive target", () => {
  const env = dockerfileEnv(multistage, {
    target: "RUNTIME",
    buildArgs: { GIT_SHA: "abc123", REGION: "us-east-1" },
  });
  assert.equal(env.get("SHA"), "abc123");
  assert.equal(env.get("DEFAULTED"), "us-east-1");
});

test("no target: the last stage (a fresh base inherits nothing)", () => {
  assert.deepEqual(Object.fromEntries(dockerfileEnv(multistage)), { OTHER_STAGE: "1" });
});

test("a heredoc body is not an instruction; continuations join", () => {
  const keywords = instructions(multistage).map((i) => i.keyword);
  assert.equal(keywords.filter((k) => k === "ENV").length, 6);
  assert.ok(!keywords.includes("ECHO"));
});

test("the reference tenant's Dockerfile sets no ENV (a value baked into a file instead)", () => {
  const text = readFileSync(`${REPO_ROOT}/reference-tenant/Dockerfile`, "utf8");
  assert.equal(dockerfileEnv(text, { buildArgs: { GIT_SHA: "harness" } }).size, 0);
});

test("the escape directive, and an ENV within one instruction seeing only earlier ones", () => {
  const text = "# escape=`\nFROM scratch\nENV A=1 `\n    B=$A\nENV C=$A\n";
  assert.deepEqual(Object.fromEntries(dockerfileEnv(text)), { A: "1", B: "", C: "1" });
});

test("words: quotes, escapes, default forms", () => {
  const vars = (n: string) => ({ X: "x", EMPTY: "" })[n];
  assert.equal(word(`"a \\"b\\" $X"`, vars), 'a "b" x');
  assert.equal(word("'$X'", vars), "$X");
  assert.equal(word("${EMPTY:-d}${EMPTY-d}${UNSET-u}${X:+alt}${UNSET:+alt}", vars), "dualt");
  assert.equal(word("a\\ b", vars), "a b");
});

test("errors: no FROM, an unknown target", () => {
  assert.throws(
    () => dockerfileEnv("ENV A=1\n"),
    (e: unknown) => e instanceof BadInput && /has no FROM/.test(e.message),
  );
  assert.throws(
    () => dockerfileEnv(multistage, { target: "nope" }),
    (e: unknown) =>
      e instanceof BadInput && /no stage "nope" \(its named stages: build, runtime, other\)/.test(e.message),
  );
});
