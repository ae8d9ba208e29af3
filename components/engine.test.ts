/**
 * The stack's engine under plain setMocks: one explicit docker provider (`<name>-provider`, parented
 * to `harness:index:Engine`) with only what is configured — nothing for Docker's defaults, the host
 * and a cert directory, or the host and PEM material marked secret — and the same settings for the
 * program's own CLI calls (Commands get the key material as a secret environment, never in a script).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_ENGINE } from "../program/config/engine";
import { commandEnvironment, DockerEngine } from "./engine";
import { recordDeclarations, the, valueOf } from "./test-support/declare";

// One recorder per file: a component registers its outputs after the test awaited it, and a
// second setMocks would drop the resources it still reports on. Each test uses names of its own.
const recording = recordDeclarations();

const PROVIDER = "pulumi:providers:docker";
const PEM = {
  ca: "-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----",
  cert: "-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----",
  key: "-----BEGIN PRIVATE KEY-----\nclient-key\n-----END PRIVATE KEY-----",
};

test("engine: Docker's defaults give a provider with no settings, ports on loopback, a plain CLI", async () => {
  const declared = await recording;
  const engine = new DockerEngine("engine", DEFAULT_ENGINE);
  const urn = await valueOf(engine.provider.urn);

  assert.match(urn, /::harness:index:Engine\$pulumi:providers:docker::engine-provider$/, "parented, named");
  const p = the(declared, PROVIDER, "engine-provider");
  for (const key of ["host", "certPath", "caMaterial", "certMaterial", "keyMaterial"]) {
    assert.equal(p.inputs[key], undefined, `${key}: unset, so DOCKER_HOST or the local socket applies`);
  }
  assert.deepEqual(engine.access, {});
  assert.equal(engine.remote, false);
  assert.equal(engine.publishAddress, "127.0.0.1");
  assert.equal(engine.cli.environment, undefined, "the Commands inherit the environment");
  assert.deepEqual(commandEnvironment(engine.cli), {});
  assert.equal(engine.cli.wrap("docker ps"), "docker ps");
});

test("engine: a tcp:// engine with PEM material: host set, the three materials secret, a remote engine", async () => {
  const declared = await recording;
  const engine = new DockerEngine("pool-engine", {
    host: "tcp://10.0.0.5:2376",
    ...PEM,
    publishAddress: "10.0.0.5",
    clientAddress: "10.0.0.5",
  });
  await valueOf(engine.provider.id);

  const p = the(declared, PROVIDER, "pool-engine-provider");
  assert.equal(p.inputs.host, "tcp://10.0.0.5:2376");
  assert.equal(p.inputs.certPath, undefined, "the material, not a directory");
  assert.equal(await pulumi.isSecret(engine.provider.host), false, "the address is no secret");
  for (const [key, output] of [
    ["caMaterial", engine.provider.caMaterial],
    ["certMaterial", engine.provider.certMaterial],
    ["keyMaterial", engine.provider.keyMaterial],
  ] as const) {
    assert.equal(await pulumi.isSecret(output), true, `${key} is secret in state`);
  }
  assert.equal(await valueOf(engine.provider.keyMaterial), PEM.key, "the client key, not the CA or cert");
  assert.equal(await valueOf(engine.provider.caMaterial), PEM.ca);
  assert.equal(engine.remote, true, "ports cannot be probed from this machine");
  assert.equal(engine.publishAddress, "10.0.0.5");
  assert.equal(engine.access.key, PEM.key, "the health gate's client gets the same key");

  // The CLI: key material in a secret environment, never in the script itself.
  assert.equal(engine.cli.secret, true);
  const env = commandEnvironment(engine.cli).environment;
  assert.ok(env !== undefined);
  assert.equal(await pulumi.isSecret(pulumi.output(env)), true, "the Command's environment is secret");
  const resolved = await valueOf(pulumi.output(env));
  assert.equal(resolved.DOCKER_HOST, "tcp://10.0.0.5:2376");
  assert.ok(Object.values(resolved).includes(PEM.key), "the key travels in the environment");
  const script = engine.cli.wrap("docker ps");
  assert.ok(!script.includes("client-key"), "the key is not on the command line");
  assert.match(script, /docker ps/);
});

test("engine: a tcp:// engine with a cert directory: host and certPath, no material, CLI env not secret", async () => {
  const declared = await recording;
  const engine = new DockerEngine("dir-engine", {
    host: "tcp://engine-1.ci.internal:2376",
    certPath: "/etc/harness/engine",
    publishAddress: "10.0.0.7",
    clientAddress: "engine-1.ci.internal",
  });
  await valueOf(engine.provider.id);

  const p = the(declared, PROVIDER, "dir-engine-provider");
  assert.equal(p.inputs.host, "tcp://engine-1.ci.internal:2376");
  assert.equal(p.inputs.certPath, "/etc/harness/engine");
  assert.equal(p.inputs.keyMaterial, undefined);
  assert.equal(engine.publishAddress, "10.0.0.7", "the configured publish address, not the host's");
  assert.equal(engine.remote, true);
  assert.deepEqual(engine.cli.environment, {
    DOCKER_HOST: "tcp://engine-1.ci.internal:2376",
    DOCKER_TLS_VERIFY: "1",
    DOCKER_CERT_PATH: "/etc/harness/engine",
  });
  assert.equal(engine.cli.secret, false, "a path is no secret");
  assert.deepEqual(Object.keys(engine.access).sort(), ["certPath", "host"], "no address keys in access");
});

test("engine: a unix socket: the host only, a local engine", async () => {
  const declared = await recording;
  const engine = new DockerEngine("sock-engine", {
    host: "unix:///run/user/1000/docker.sock",
    publishAddress: "127.0.0.1",
    clientAddress: "127.0.0.1",
  });
  await valueOf(engine.provider.id);

  const p = the(declared, PROVIDER, "sock-engine-provider");
  assert.equal(p.inputs.host, "unix:///run/user/1000/docker.sock");
  assert.equal(engine.remote, false, "a local socket: ports are probed here");
  assert.deepEqual(engine.cli.environment, { DOCKER_HOST: "unix:///run/user/1000/docker.sock" });
});
