import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Cancellation, Interrupted } from "./cancel";
import { CommandFailed, runCommand } from "./command-runner";

/** Running (a zombie awaiting its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const dir = mkdtempSync(join(tmpdir(), "e2e-cmd-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("local.Command semantics", () => {
  test("/bin/sh -c, dir, environment over the process env, stdin; one trailing newline trimmed", async () => {
    const result = await runCommand({
      command: 'printf "%s|%s|%s|" "$(pwd)" "$FOO" "$HOME"; cat; echo',
      dir,
      environment: { FOO: "bar" },
      stdin: "in",
      baseEnv: { HOME: "/home/x", PATH: process.env.PATH },
    });
    assert.equal(result.stdout, `${dir}|bar|/home/x|in`);
  });

  test("interpreter", async () => {
    // node: the one interpreter besides sh that every machine running these tests has.
    const r = await runCommand({ command: "console.log(6*7)", interpreter: [process.execPath, "-e"] });
    assert.equal(r.stdout, "42");
  });

  test("logging decides what streams; both are captured either way", async () => {
    const seen: string[] = [];
    const cmd = "echo out; echo err >&2";
    const r = await runCommand({ command: cmd, logging: "stderr", onLine: (s, l) => seen.push(`${s}:${l}`) });
    assert.deepEqual(seen, ["stderr:err"]);
    assert.deepEqual(r, { stdout: "out", stderr: "err" });
    seen.length = 0;
    await runCommand({ command: cmd, logging: "none", onLine: (s, l) => seen.push(`${s}:${l}`) });
    assert.deepEqual(seen, []);
  });

  test("a failing command fails with the provider's wording and the combined output", async () => {
    await assert.rejects(
      runCommand({ command: "echo partial; echo broke >&2; exit 3" }),
      (error: Error) =>
        error instanceof CommandFailed &&
        error.exitCode === 3 &&
        error.message === 'exit status 3: running "echo partial; echo broke >&2; exit 3":\npartial\nbroke',
    );
  });

  test("an interrupt stops the whole process group (the shell and what it started)", async () => {
    const cancel = new Cancellation();
    const marker = join(dir, "pid");
    const running = runCommand({
      command: `sleep 30 & echo $! > ${marker}; wait`,
      signal: cancel.signal,
      killGraceMs: 500,
    });
    await new Promise((r) => setTimeout(r, 300));
    const sleeper = Number(readFileSync(marker, "utf8"));
    cancel.cancel("SIGINT");
    await assert.rejects(running, Interrupted);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!alive(sleeper), "the background sleep is gone too");
  });
});
