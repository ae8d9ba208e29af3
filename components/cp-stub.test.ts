/**
 * The cp-stub under plain setMocks: built from cp-stub/ on the node base; published, it is
 * dual-homed (the bridge, then the internal network with its alias) with its port picked once and
 * bound on the engine's publish address (never all interfaces); unpublished, it is internal only
 * and picks nothing. Its in-network URL, its PORT and the published container port agree.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import * as docker from "@pulumi/docker";
import { CpStub } from "./cp-stub";
import { DockerEngine } from "./engine";
import { allOf, labelsOf, localEngine, recordDeclarations, the, valueOf } from "./test-support/declare";
import { buildOf } from "./test-support/build";

const REPO = join(__dirname, "..");
const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";

// One recorder per file (a second setMocks would drop resources still reporting); names per test.
const recording = recordDeclarations().then((declared) => ({
  declared,
  nodeBase: new docker.RemoteImage("base-node", { name: "harness-local/node:20" }),
}));

const common = {
  repoRoot: REPO,
  networkName: "ci-7-net-1234",
  publishNetworkName: "ci-7-pub-5678",
  builds: { builder: "BuilderBuildKit" as const, rebuildNonce: "", keepImages: false },
  waitTimeoutSeconds: 30,
};

test("cp-stub, published: dual-homed, its picked port on the publish address, labelled, built from cp-stub/", async () => {
  const { declared, nodeBase } = await recording;
  const cpStub = new CpStub("cp-stub", { ...common, engine: localEngine(), nodeBase, publish: true });
  assert.equal(await valueOf(cpStub.hostPort), 45678, "the port the pick chose");
  await valueOf(cpStub.container.id);

  assert.equal(cpStub.containerName, "ci-7-cp-stub");
  const c = the(declared, CONTAINER, "cp-stub-container");
  assert.equal(c.inputs.name, "ci-7-cp-stub");
  assert.equal(c.inputs.image, "sha256:cp-stub-image", "runs the image it built");
  assert.deepEqual(c.inputs.networksAdvanced, [
    { name: "ci-7-pub-5678" },
    { name: "ci-7-net-1234", aliases: ["cp-stub"] },
  ]);
  assert.deepEqual(c.inputs.ports, [{ internal: 9090, external: 45678, ip: "127.0.0.1", protocol: "tcp" }]);
  assert.deepEqual(c.inputs.envs, ["PORT=9090"]);
  // The URL tenants get, the port the stub listens on and the one published are the same port.
  const url = new URL(cpStub.internalUrl);
  assert.equal(url.hostname, "cp-stub", "the alias on the internal network");
  assert.equal(`PORT=${url.port}`, (c.inputs.envs as string[])[0]);
  assert.equal((c.inputs.ports as { internal: number }[])[0].internal, Number(url.port));
  const labels = labelsOf(c.inputs);
  assert.equal(labels["harness.stack"], "harness/ci-7");
  assert.equal(labels["harness.role"], "cp-stub");
  assert.match(c.provider ?? "", /::engine-provider::/);
  const health = c.inputs.healthcheck as { tests: string[] };
  assert.match(health.tests.join(" "), /\/dev\/tcp\/127\.0\.0\.1\/9090/, "probes the port it listens on");

  const pick = the(declared, COMMAND, "cp-stub-port-pick");
  assert.match(String(pick.inputs.create), /listen\(0,"127\.0\.0\.1"/, "a port free on the publish address");
  the(declared, "harness:index:HostPort", "cp-stub-port");

  const image = the(declared, "docker:index/remoteImage:RemoteImage", "cp-stub-image");
  const build = buildOf(image);
  assert.equal(build.context, join(REPO, "cp-stub"));
  assert.deepEqual(build.buildArgs, { NODE_BASE: "harness-local/node:20" });
  assert.match(String(image.inputs.name), /^harness-ci-7\/cp-stub:[0-9a-f]{12}$/);
});

test("cp-stub, not published: internal network only, no port picked, no ports, hostPort undefined", async () => {
  const { declared, nodeBase } = await recording;
  const engine = new DockerEngine("quiet-engine", {
    publishAddress: "127.0.0.1",
    clientAddress: "127.0.0.1",
  });
  const cpStub = new CpStub("quiet-stub", { ...common, engine, nodeBase, publish: false });
  assert.equal(await valueOf(cpStub.hostPort), undefined);
  await valueOf(cpStub.container.id);

  const c = the(declared, CONTAINER, "quiet-stub-container");
  assert.deepEqual(
    c.inputs.networksAdvanced,
    [{ name: "ci-7-net-1234", aliases: ["cp-stub"] }],
    "no bridge without a published port: no route out",
  );
  assert.deepEqual(c.inputs.ports ?? [], [], "nothing published");
  assert.deepEqual(
    allOf(declared, COMMAND).filter((n) => n.startsWith("quiet-stub")),
    [],
    "no port picked",
  );
});

test("cp-stub on an engine publishing on 10.0.0.5: the pick and the binding use that address, not all interfaces", async () => {
  const { declared, nodeBase } = await recording;
  const engine = new DockerEngine("lan-engine", { publishAddress: "10.0.0.5", clientAddress: "10.0.0.5" });
  const cpStub = new CpStub("lan-stub", { ...common, engine, nodeBase, publish: true });
  await valueOf(cpStub.container.id);

  const c = the(declared, CONTAINER, "lan-stub-container");
  assert.deepEqual(
    (c.inputs.ports as { ip: string }[]).map((p) => p.ip),
    ["10.0.0.5"],
  );
  assert.match(c.provider ?? "", /::lan-engine-provider::/, "this engine's provider");
  const pick = String(the(declared, COMMAND, "lan-stub-port-pick").inputs.create);
  assert.match(pick, /"10\.0\.0\.5"/);
  assert.doesNotMatch(pick, /0\.0\.0\.0/);
});
