import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { test } from "node:test";
import { atLeast, checkNode, checkPulumi, parseVersion, portFree } from "./preflight";

test("versions", () => {
  assert.deepEqual(parseVersion("v3.121.0"), [3, 121, 0]);
  assert.deepEqual(parseVersion("v3.150.1-dev.0"), [3, 150, 1]);
  assert.equal(parseVersion("nope"), undefined);
  assert.ok(atLeast([3, 121, 0], "3.121.0"));
  assert.ok(atLeast([3, 200, 0], "3.121.0"));
  assert.ok(!atLeast([3, 120, 9], "3.121.0"));
});

test("Pulumi CLI: missing (with and without Go, after a failed install), too old, wrong major, fine", () => {
  const none = checkPulumi(undefined, true)!;
  assert.match(none.what, /not on PATH and no toolchain was built/);
  assert.match(
    none.fix,
    /^build it from its Go modules: `npm run pulumi:toolchain`.*or install the official CLI/,
  );
  assert.match(checkPulumi(undefined, false)!.fix, /^install the official CLI.*or install Go ≥ 1\.26/);
  assert.match(
    checkPulumi(undefined, false, "getaddrinfo ENOTFOUND get.pulumi.com")!.what,
    /installing the official CLI failed: getaddrinfo ENOTFOUND/,
  );
  const at = (version: string) => ({ version, source: "PATH" });
  assert.match(checkPulumi(at("v3.99.0"), true)!.fix, /self-update/);
  assert.match(checkPulumi(at("v4.0.0"), true)!.fix, /install a 3\.x CLI/);
  assert.match(checkPulumi(at("garbage"), true)!.what, /printed "garbage", not a version/);
  assert.equal(checkPulumi(at("v3.121.0"), true), undefined);
  assert.equal(checkPulumi({ version: "v3.276.0", source: "toolchain" }, true), undefined);
});

test("Node.js: 20.18 or newer", () => {
  assert.match(checkNode("v18.19.0")!.what, /too old/);
  assert.match(checkNode("v20.11.0")!.what, /needs ≥ 20\.18\.0/);
  assert.equal(checkNode("v20.18.0"), undefined);
  assert.equal(checkNode("v22.1.0"), undefined);
});

test("the edge port check binds for real", async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  assert.equal(await portFree(port, "127.0.0.1"), false);
  server.close();
  await new Promise((r) => server.once("close", r));
  assert.equal(await portFree(port, "127.0.0.1"), true);
});
