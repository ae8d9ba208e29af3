/**
 * Every external command the bash replays, their helpers and the example suites run is installed
 * here: the anchor's replays, run unchanged against this harness, once failed on a machine without
 * `uuidgen` (which neither the prerequisites nor .ci/run installed). This test reads the scripts
 * with a shell parser and fails naming each missing command, where it is used and what installs it.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import fg from "fast-glob";
import { missingCommands, scriptCommands } from "./shell-commands";

const ROOT = resolve(__dirname, "..");

/** The bash replays and what they source or run: what must find its commands on a CI machine. */
const SCRIPTS = [
  "replays/*.sh",
  "_curl.sh",
  "runner/shell/*.sh",
  "runner/test-support/anchor-replays/*.sh",
  "tests/pulumi/fixtures/replays/*.sh",
  "tests/examples/**/*.sh",
];

/** Debian packages of the commands the replays use, for the fix line. */
const PACKAGES: Record<string, string> = {
  uuidgen: "uuid-runtime",
  jq: "jq",
  curl: "curl",
  psql: "postgresql-client",
  python3: "python3",
};

const shellWords = new Set(
  execFileSync("bash", ["-c", "compgen -b; compgen -k"], { encoding: "utf8" }).split("\n").filter(Boolean),
);
const installed = (name: string) => spawnSync("bash", ["-c", 'command -v -- "$1"', "-", name]).status === 0;

describe("scriptCommands: what a bash script runs", () => {
  test("commands in pipelines, substitutions, conditions and after wrappers; not words in strings or comments", () => {
    const script = [
      "#!/usr/bin/env bash",
      "# uuidgen in a comment is not a command",
      "x=$(uuidgen | tr a-z A-Z)",
      'curl -s "$URL" | jq -r .id',
      'if [ -n "$x" ]; then psql "$DB" -c \'select 1\'; fi',
      "timeout -s KILL 5 sleep 1",
      "env -u HOME A=1 awk 1 </dev/null",
      'echo "grep is only a word here"',
      "cat <<EOF\nsed in a heredoc\nEOF",
      "helper() { date; }",
      "helper",
      '"$CMD" arg',
    ].join("\n");
    const found = scriptCommands(script, "x.sh");
    assert.deepEqual(
      found.calls.map((c) => c.name),
      [
        "uuidgen",
        "tr",
        "curl",
        "jq",
        "[",
        "psql",
        "timeout",
        "sleep",
        "env",
        "awk",
        "echo",
        "cat",
        "date",
        "helper",
      ],
    );
    assert.deepEqual(found.functions, ["helper"]);
    assert.equal(found.dynamic, 1);
    assert.equal(found.calls.find((c) => c.name === "psql")?.line, 5);
  });

  test("a script that is not valid bash is an error naming the file", () => {
    assert.throws(() => scriptCommands("if then fi (", "broken.sh"), /broken\.sh: not valid bash/);
  });

  test("missingCommands: builtins, functions from any script, paths and installed commands pass; the rest is named with every use", () => {
    const missing = missingCommands(
      [
        { file: "helpers.sh", source: 'json_get() { jq -r "$1"; }' },
        {
          file: "replay.sh",
          source:
            "set -e\njson_get .id\n./local-tool\nnot-installed-xyz --flag\ncd /\nnot-installed-xyz again",
        },
      ],
      shellWords,
      (name) => name === "jq",
    );
    assert.deepEqual(missing, [{ name: "not-installed-xyz", uses: ["replay.sh:4", "replay.sh:6"] }]);
  });
});

describe("prerequisites: every command the bash replays, helpers and example suites run is installed", () => {
  const files = fg.sync(SCRIPTS, { cwd: ROOT, ignore: ["node_modules/**"] }).sort();

  test("the scripts are found (the check reads something)", () => {
    assert.ok(files.includes("runner/shell/replay-helpers.sh"), files.join(", "));
    assert.ok(
      files.some((f) => f.startsWith("replays/")),
      files.join(", "),
    );
  });

  test("none is missing", () => {
    const scripts = files.map((file) => ({ file, source: readFileSync(resolve(ROOT, file), "utf8") }));
    const missing = missingCommands(scripts, shellWords, installed);
    assert.deepEqual(
      missing.map(
        (m) =>
          `${m.name} is not installed (used at ${m.uses.join(", ")}): install it` +
          `${PACKAGES[m.name] ? ` (Debian: apt-get install ${PACKAGES[m.name]})` : ""}, and add it to .ci/run's APT_PACKAGES and the README's prerequisites`,
      ),
      [],
    );
  });

  test("the commands the anchor's replays use are installed: uuidgen, jq, curl, psql", () => {
    // The anchor's chat-history and canary replays (docs/anchor.md#replays) are not in this repository;
    // these are the external commands they run besides the POSIX basics.
    const absent = ["uuidgen", "jq", "curl", "psql"].filter((name) => !installed(name));
    assert.deepEqual(
      absent.map((name) => `${name}: apt-get install ${PACKAGES[name]}`),
      [],
    );
  });
});
