/**
 * A tenant's postgres under plain setMocks: dual-homed (internal with its alias, plus the publish
 * bridge, issue 14), its port published on the engine's publish address only (issue 15), its
 * password generated, secret, and only in secret inputs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { Postgres } from "./postgres";
import { localEngine, recordDeclarations, the, valueOf } from "./test-support/declare";

test("postgres: internal alias plus the publish bridge, the port on the publish address, the password secret", async () => {
  const declared = await recordDeclarations();
  const pg = new Postgres("postgres-alpha", {
    engine: localEngine(),
    tenant: "alpha",
    image: "sha256:pg",
    networkName: "ci-7-net-1234",
    publishNetworkName: "ci-7-pub-5678",
    waitTimeoutSeconds: 30,
  });
  assert.equal(await valueOf(pg.hostPort), 45678, "the port the pick chose");
  await valueOf(pg.container.id);

  const c = the(declared, "docker:index/container:Container", "postgres-alpha-container");
  assert.equal(c.inputs.name, "ci-7-postgres-alpha");
  assert.deepEqual(c.inputs.networksAdvanced, [
    { name: "ci-7-pub-5678" },
    { name: "ci-7-net-1234", aliases: ["postgres-alpha"] },
  ]);
  assert.deepEqual(c.inputs.ports, [{ internal: 5432, external: 45678, ip: "127.0.0.1", protocol: "tcp" }]);
  assert.equal(await pulumi.isSecret(pg.internalUrl), true, "the URL carries the password");
  assert.equal(await pulumi.isSecret(pg.password), true);
  const url = await valueOf(pg.internalUrl);
  assert.match(url, /^postgres:\/\/harness:.+@postgres-alpha:5432\/molecule\?sslmode=disable$/);
  assert.equal(await pulumi.isSecret(pg.container.envs), true, "POSTGRES_PASSWORD only in a secret input");
});
