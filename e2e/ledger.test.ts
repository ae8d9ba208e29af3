import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Ledger, type LedgerStep } from "./ledger";

const dir = mkdtempSync(join(tmpdir(), "e2e-ledger-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const net: LedgerStep = {
  kind: "network",
  type: "docker:index/network:Network",
  name: "network-bridge",
  id: "n1",
  networkName: "s-net",
};
const box: LedgerStep = {
  kind: "container",
  type: "docker:index/container:Container",
  name: "redis-container",
  id: "c1",
  containerName: "s-redis",
  graceSeconds: 5,
  removeVolumes: true,
  autoRemove: false,
  volumes: ["v1"],
};

test("persisted after every change, 0600, reloaded by another process's open; destroy order is reverse creation", () => {
  const path = join(dir, "sub", "s.state.json");
  const ledger = Ledger.open(path, { project: "harness", stack: "s" });
  assert.equal(ledger.stackLabel, "harness/s");
  assert.ok(!existsSync(path), "nothing written before the first step");
  ledger.add(net);
  ledger.add(box);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const again = Ledger.open(path, { project: "harness", stack: "s" });
  assert.deepEqual(
    again.destroyOrder().map((s) => s.name),
    ["redis-container", "network-bridge"],
  );
  again.remove(again.steps[1]);
  again.remove(again.steps[0]);
  assert.ok(!existsSync(path), "an empty ledger is no file: nothing is up");
});

test("a ledger of another stack is refused", () => {
  const path = join(dir, "x.state.json");
  Ledger.open(path, { project: "harness", stack: "x" }).add(net);
  assert.throws(() => Ledger.open(path, { project: "harness", stack: "y" }), /not a ledger of stack y/);
});
