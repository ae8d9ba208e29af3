import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { labelList, Naming } from "../program/lib/naming";
import { networkCommands, networkName, type NetworkSpec } from "./network";

describe("networkName (the stack network's Docker name)", () => {
  const naming = new Naming("harness", "ci-7");
  const spec = (over: Partial<NetworkSpec> = {}): NetworkSpec => ({
    driver: "bridge",
    internal: false,
    labels: labelList(naming.labels("network")),
    ...over,
  });

  test("`<stack>-net-<8 hex>`, the same for the same definition", () => {
    const name = networkName(naming, spec());
    assert.match(name, /^ci-7-net-[0-9a-f]{8}$/);
    assert.equal(networkName(naming, spec()), name);
    assert.equal(networkName(new Naming("other-project", "ci-7"), spec()), name, "the stack names it");
  });

  test("changes with everything that makes Docker replace the network", () => {
    const name = networkName(naming, spec());
    assert.notEqual(networkName(naming, spec({ internal: true })), name, "internal");
    assert.notEqual(networkName(naming, spec({ driver: "macvlan" })), name, "driver");
    assert.notEqual(
      networkName(naming, spec({ labels: labelList(naming.labels("network", { extra: "1" })) })),
      name,
      "labels",
    );
  });

  test("two stacks never share a name", () => {
    const other = new Naming("harness", "ci-8");
    assert.match(networkName(other, spec()), /^ci-8-net-/);
    assert.notEqual(networkName(other, spec()), networkName(naming, spec()));
  });
});

describe("networkCommands (the network Command's create and delete)", () => {
  const spec: NetworkSpec = {
    driver: "bridge",
    internal: true,
    labels: [{ label: "harness.stack", value: "harness/it's" }],
  };
  const { create, delete: remove } = networkCommands("s-net-0123abcd", spec);

  test("create: idempotent (an existing network of this name is the stack's), every property on the line", () => {
    assert.match(
      create,
      /^docker network inspect s-net-0123abcd >\/dev\/null 2>&1 \|\| docker network create /,
    );
    assert.match(create, / --driver bridge --internal /);
    assert.match(
      create,
      / --label 'harness\.stack=harness\/it'\\''s' s-net-0123abcd >\/dev\/null$/,
      "quoted for /bin/sh",
    );
    assert.doesNotMatch(networkCommands("n", { ...spec, internal: false }).create, /--internal/);
  });

  test("delete: removes it, and succeeds when it is already gone (but not when it still exists)", () => {
    assert.equal(
      remove,
      "docker network rm s-net-0123abcd >/dev/null 2>&1 || ! docker network inspect s-net-0123abcd >/dev/null 2>&1",
    );
  });
});
