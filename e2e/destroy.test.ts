import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type Docker from "dockerode";
import { destroyLedger } from "./destroy";
import { Ledger } from "./ledger";
import { memoryLog } from "./log";

const dir = mkdtempSync(join(tmpdir(), "e2e-destroy-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const gone = Object.assign(new Error("no such object"), { statusCode: 404 });

/** Records every call; `failing` object ids answer 500. */
function fakeDocker(failing: string[] = []) {
  const calls: string[] = [];
  const act = (what: string, id: string) => async () => {
    calls.push(`${what} ${id}`);
    if (failing.includes(id)) throw Object.assign(new Error("boom"), { statusCode: 500 });
    if (id.startsWith("gone")) throw gone;
  };
  const docker = {
    getContainer: (id: string) => ({
      stop: (o: { t: number }) => act(`stop(t=${o.t})`, id)(),
      remove: (o: { force: boolean; v: boolean }) => act(`remove(force=${o.force},v=${o.v})`, id)(),
    }),
    getNetwork: (id: string) => ({ remove: act("network-remove", id) }),
    getImage: (id: string) => ({ remove: act("image-remove", id) }),
  };
  return { docker: docker as unknown as Docker, calls };
}

function ledgerWithEverything(name: string): Ledger {
  const ledger = Ledger.open(join(dir, `${name}.json`), { project: "harness", stack: name });
  const t = (kind: string) => `docker:index/${kind}`;
  ledger.add({
    kind: "remote-image",
    type: t("remoteImage:RemoteImage"),
    name: "base-redis",
    imageName: "redis:7",
    imageId: "img-redis",
    keepLocally: true,
    forceRemove: false,
  });
  ledger.add({
    kind: "remote-image",
    type: t("remoteImage:RemoteImage"),
    name: "base-tmp",
    imageName: "tmp:1",
    imageId: "img-tmp",
    keepLocally: false,
    forceRemove: false,
  });
  ledger.add({
    kind: "network",
    type: t("network:Network"),
    name: "network-bridge",
    id: "net1",
    networkName: "s-net",
  });
  ledger.add({
    kind: "image",
    type: t("image:Image"),
    name: "cp-stub-image",
    imageName: "harness-s/cp-stub:local",
  });
  ledger.add({
    kind: "command",
    type: "command:local:Command",
    name: "cp-stub-image-cleanup",
    delete: `printf '%s|%s' "$PULUMI_COMMAND_STDOUT" "$X" > ${join(dir, `${name}-deleted`)}`,
    environment: { X: "env" },
    addPreviousOutputInEnv: true,
    stdout: "previous",
    stderr: "",
    logging: "stdoutAndStderr",
  });
  ledger.add({
    kind: "container",
    type: t("container:Container"),
    name: "redis-container",
    id: "c-redis",
    containerName: "s-redis",
    graceSeconds: 5,
    removeVolumes: true,
    autoRemove: false,
    volumes: ["vol1"],
  });
  ledger.add({
    kind: "container",
    type: t("container:Container"),
    name: "gone-container",
    id: "gone-c",
    containerName: "s-gone",
    graceSeconds: 0,
    removeVolumes: false,
    autoRemove: false,
    volumes: [],
  });
  return ledger;
}

test("reverse creation order, each with its provider's delete; already-gone objects are fine", async () => {
  const ledger = ledgerWithEverything("all");
  const { docker, calls } = fakeDocker();
  const report = await destroyLedger(ledger, { docker, log: memoryLog() });
  assert.deepEqual(calls, [
    "remove(force=true,v=false) gone-c",
    "stop(t=5) c-redis",
    "remove(force=true,v=true) c-redis",
    "network-remove net1",
    "image-remove img-tmp",
  ]);
  assert.equal(
    readFileSync(join(dir, "all-deleted"), "utf8"),
    "previous|env",
    "the delete Command ran with its env and previous output",
  );
  assert.deepEqual(report, { destroyed: 7, failures: [], volumes: ["vol1"] });
  assert.ok(ledger.empty);
});

test("a failing step stays recorded, the destroy carries on, the failure is reported", async () => {
  const ledger = ledgerWithEverything("fail");
  const { docker, calls } = fakeDocker(["c-redis"]);
  const report = await destroyLedger(ledger, { docker, log: memoryLog() });
  assert.ok(calls.includes("network-remove net1"), "later steps still ran");
  assert.equal(report.failures.length, 1);
  assert.match(report.failures[0], /redis-container: boom/);
  assert.deepEqual(
    ledger.steps.map((s) => s.name),
    ["redis-container"],
    "what failed is still there for a retry (e2e:down)",
  );
});
