import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import Docker from "dockerode";
import { collectArtifacts, demuxDockerLogs, dockerLogSource, fileSafe } from "./artifacts";
import { makeReplayDir } from "./test-support/fixtures";

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("artifacts", () => {
  test("demuxDockerLogs: frames of stdout/stderr become plain text; TTY logs pass through", () => {
    const muxed = Buffer.concat([frame(1, "out line\n"), frame(2, "err line\n"), frame(1, "")]);
    assert.equal(demuxDockerLogs(muxed).toString(), "out line\nerr line\n");
    assert.equal(demuxDockerLogs(Buffer.from("plain tty output\n")).toString(), "plain tty output\n");
    const cut = frame(1, "truncated frame").subarray(0, 12);
    assert.equal(demuxDockerLogs(cut).length, 12, "not a valid stream: unchanged");
  });

  test("no Docker daemon: a note, not a crash; a hanging source times out", async () => {
    const dir = makeReplayDir();
    const noDocker = dockerLogSource(new Docker({ socketPath: join(dir.root, "no-docker.sock") }));
    const hanging = { logs: () => new Promise<Buffer>(() => undefined) };
    const first = await collectArtifacts({
      dir: join(dir.root, "a1"),
      replayOutputs: [{ name: "gone", file: join(dir.root, "missing.log") }],
      containers: ["tenant-alpha"],
      logSource: noDocker,
      journal: { requests: () => Promise.reject(new Error("ECONNREFUSED")) },
    });
    assert.equal(first.notes.length, 3);
    assert.match(first.notes.join("\n"), /container tenant-alpha: .*ENOENT/);
    assert.match(first.notes.join("\n"), /cp-stub journal: ECONNREFUSED/);
    assert.match(readFileSync(join(dir.root, "a1", "README.txt"), "utf8"), /Could not collect:/);
    const second = await collectArtifacts({
      dir: join(dir.root, "a2"),
      replayOutputs: [],
      containers: ["slow"],
      logSource: hanging,
      journal: null,
      timeoutMs: 100,
    });
    assert.deepEqual(second.notes, ["container slow: docker logs slow: no answer within 100 ms"]);
    assert.equal(existsSync(join(dir.root, "a2", "cp-stub-requests.json")), false);
  });

  test("fileSafe", () => {
    assert.equal(fileSafe("harness/tenant alpha"), "harness_tenant_alpha");
    assert.equal(fileSafe(""), "_");
  });
});
