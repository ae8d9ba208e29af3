import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { compileReplays } from "./compile";
import { describeReplays } from "./describe";
import { listReplays } from "./discover";
import { ReplayHost } from "./host-client";
import { hostCommand, runReplays } from "./run";
import { makeReplayDir, makeTarget, SEED, tsReplay } from "./test-support/fixtures";

describe("reading declarations before running", () => {
  test("TS definitions, shell headers, and load errors; a module hanging at import falls back per file", async () => {
    const dir = makeReplayDir();
    dir.write(
      "a.ts",
      tsReplay(
        `{ closes: "#1", proves: "p", xfail: "#1 open", independent: true, timeoutSeconds: 9, run() {} }`,
      ),
    );
    dir.write(
      "b-hang-at-import.ts",
      `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);\nexport default 1;\n`,
    );
    dir.write("c.ts", tsReplay(`{ closes: null, proves: "q", run() {} }`));
    dir.write("d.sh", "# replay-xfail: flaky\n# closes #4\necho\n");
    dir.write("e-broken.ts", `export default {`);
    const replays = listReplays(dir.replays);
    const files = replays.filter((r) => r.kind === "ts").map((r) => r.file);
    const host = new ReplayHost({ host: hostCommand(), cwd: dir.root, env: process.env, killGraceMs: 200 });
    const declared = await describeReplays(replays, {
      host,
      compiled: new Map((await compileReplays(files)).map((c) => [c.file, c])),
      outputDir: join(dir.root, "out"),
      timeoutMs: 5000,
    }).finally(() => host.close());
    assert.deepEqual(declared.get("a"), {
      closes: "#1",
      proves: "p",
      xfail: "#1 open",
      independent: true,
      timeoutSeconds: 9,
    });
    assert.deepEqual(declared.get("c"), {
      closes: null,
      proves: "q",
      xfail: undefined,
      independent: false,
      timeoutSeconds: undefined,
    });
    assert.deepEqual(declared.get("d"), { closes: "#4", xfail: "flaky", independent: false });
    assert.match(declared.get("b-hang-at-import")?.error ?? "", /did not finish within 5s/);
    assert.match(
      declared.get("e-broken")?.error ?? "",
      /^Build failed with 1 error: e-broken\.ts:1:\d+: ERROR: /,
    );
  });

  test("a replay declaring a shorter timeout gets it", async () => {
    const dir = makeReplayDir();
    dir.write(
      "slow.ts",
      tsReplay(
        `{ closes: null, proves: "x", timeoutSeconds: 1, async run(ctx) { await ctx.sleep(30_000); } }`,
      ),
    );
    const summary = await runReplays({
      replaysDir: dir.replays,
      target: makeTarget({ reportsDir: dir.reports }),
      seed: SEED,
      timeoutSeconds: 60,
      killGraceMs: 200,
      progress: () => undefined,
      logSource: null,
      journal: null,
      stepSummaryFile: null,
    });
    assert.equal(summary.results[0].message, "timed out after 1s");
  });
});
