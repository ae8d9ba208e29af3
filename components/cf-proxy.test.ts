/**
 * The edge under plain setMocks: built from cf-proxy/ on the nginx base, dual-homed with its alias,
 * published on its bind address only (a configured port as is, port 0 picked once), its nginx.conf
 * rendered from the tenant list and uploaded at create — so a tenant list change replaces the
 * container but never rebuilds the image — and its healthcheck probing the pid file and port that
 * conf declares.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import * as docker from "@pulumi/docker";
import { edgeOptions } from "../program/config/edge";
import { DEFAULT_EDGE } from "../program/config/schema";
import { CfProxy } from "./cf-proxy";
import { allOf, labelsOf, localEngine, recordDeclarations, the, valueOf } from "./test-support/declare";
import { buildOf } from "./test-support/build";

const REPO = join(__dirname, "..");
const CONTAINER = "docker:index/container:Container";
const IMAGE = "docker:index/remoteImage:RemoteImage";
const COMMAND = "command:local:Command";

// One recorder per file (a second setMocks would drop resources still reporting); names per test.
const recording = recordDeclarations().then((declared) => ({
  declared,
  engine: localEngine(),
  nginxBase: new docker.RemoteImage("base-nginx", { name: "nginx:1.27-alpine" }),
}));

const common = {
  repoRoot: REPO,
  networkName: "ci-7-net-1234",
  publishNetworkName: "ci-7-pub-5678",
  builds: { builder: "BuilderBuildKit" as const, rebuildNonce: "", keepImages: false },
  waitTimeoutSeconds: 30,
};

test("cf-proxy: dual-homed as `cf-proxy`, its port on the bind address, the rendered conf uploaded, labelled", async () => {
  const { declared, engine, nginxBase } = await recording;
  const edge = new CfProxy("cf-proxy", {
    ...common,
    engine,
    nginxBase,
    options: edgeOptions([{ name: "alpha" }, { name: "beta" }], DEFAULT_EDGE),
    port: 8443,
    bindAddress: "127.0.0.1",
  });
  assert.equal(await valueOf(edge.hostPort), 8443, "a configured port is taken as is");
  await valueOf(edge.container.id);

  assert.equal(edge.containerName, "ci-7-cf-proxy");
  const c = the(declared, CONTAINER, "cf-proxy-container");
  assert.equal(c.inputs.name, "ci-7-cf-proxy");
  assert.equal(c.inputs.image, "sha256:cf-proxy-image");
  assert.deepEqual(c.inputs.networksAdvanced, [
    { name: "ci-7-pub-5678" },
    { name: "ci-7-net-1234", aliases: ["cf-proxy"] },
  ]);
  const labels = labelsOf(c.inputs);
  assert.equal(labels["harness.stack"], "harness/ci-7");
  assert.equal(labels["harness.role"], "cf-proxy");
  assert.match(c.provider ?? "", /::engine-provider::/);
  assert.deepEqual(
    allOf(declared, COMMAND).filter((n) => n.startsWith("cf-proxy-")),
    [],
    "a configured port is not picked",
  );

  // nginx listens where the container port is published, and serves every tenant's host.
  const ports = c.inputs.ports as { internal: number; external: number; ip: string; protocol: string }[];
  assert.equal(ports.length, 1);
  assert.deepEqual(ports[0], {
    internal: ports[0].internal,
    external: 8443,
    ip: "127.0.0.1",
    protocol: "tcp",
  });
  const uploads = c.inputs.uploads as { file: string; content: string }[];
  assert.deepEqual(
    uploads.map((u) => u.file),
    ["/etc/nginx/nginx.conf"],
  );
  const conf = uploads[0].content;
  assert.equal(conf, edge.nginxConf);
  assert.match(conf, new RegExp(`listen ${ports[0].internal}\\b`), "listens on the published container port");
  assert.match(conf, /server_name harness-tenant-alpha\.localhost/);
  assert.match(conf, /server_name harness-tenant-beta\.localhost/);
  assert.match(conf, /set \$edge_upstream tenant-alpha:8080;/, "the tenant's alias, resolved per request");
  assert.match(conf, /resolver 127\.0\.0\.11 /, "Docker's embedded DNS");

  // The healthcheck probes the pid file this conf writes (the image's baked conf writes elsewhere).
  const pid = /^pid (\S+);$/m.exec(conf)?.[1];
  assert.ok(pid, "the conf declares a pid file");
  const health = (c.inputs.healthcheck as { tests: string[] }).tests.join(" ");
  assert.ok(health.includes(`test -s ${pid}`), `the healthcheck probes ${pid}: ${health}`);

  const image = the(declared, IMAGE, "cf-proxy-image");
  const build = buildOf(image);
  assert.equal(build.context, join(REPO, "cf-proxy"));
  assert.deepEqual(build.buildArgs, { NGINX_BASE: "nginx:1.27-alpine" }, "no config baked in");
});

test("cf-proxy: another tenant list changes the upload (a new container), not the image; port 0 is picked", async () => {
  const { declared, engine, nginxBase } = await recording;
  const one = new CfProxy("edge-one", {
    ...common,
    engine,
    nginxBase,
    options: edgeOptions([{ name: "alpha" }], DEFAULT_EDGE),
    port: 0,
    bindAddress: "10.0.0.5",
  });
  const two = new CfProxy("edge-two", {
    ...common,
    engine,
    nginxBase,
    options: edgeOptions([{ name: "alpha" }, { name: "gamma" }], DEFAULT_EDGE),
    port: 0,
    bindAddress: "10.0.0.5",
  });
  assert.equal(await valueOf(one.hostPort), 45678, "the port the pick chose");
  await Promise.all([valueOf(one.container.id), valueOf(two.container.id)]);

  const pick = String(the(declared, COMMAND, "edge-one-port-pick").inputs.create);
  assert.match(pick, /"10\.0\.0\.5"/, "free on the bind address");
  const c1 = the(declared, CONTAINER, "edge-one-container");
  assert.deepEqual(
    (c1.inputs.ports as { ip: string; external: number }[]).map((p) => [p.ip, p.external]),
    [["10.0.0.5", 45678]],
  );
  const upload = (name: string) =>
    (the(declared, CONTAINER, name).inputs.uploads as { content: string }[])[0].content;
  assert.notEqual(
    upload("edge-one-container"),
    upload("edge-two-container"),
    "the tenant list is in the upload",
  );
  assert.match(upload("edge-two-container"), /harness-tenant-gamma\.localhost/);
  assert.doesNotMatch(upload("edge-one-container"), /gamma/);
  assert.equal(
    the(declared, IMAGE, "edge-one-image").inputs.name,
    the(declared, IMAGE, "edge-two-image").inputs.name,
    "the same image: the tenants are not baked in",
  );
});
