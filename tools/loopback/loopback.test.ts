import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import { Client } from "pg";
import { freePort } from "./free-port";
import { makeNginxPrefix, startNginx, testNginxConfig } from "./nginx";
import { startPostgres } from "./postgres";
import { startRedis } from "./redis";

test("postgres: boots with the requested user/password/database and is gone after stop", async () => {
  const pg = await startPostgres({ user: "u1", password: "p w", database: "db1" });
  const client = new Client({ connectionString: pg.url });
  await client.connect();
  const { rows } = await client.query("select current_user as u, current_database() as d");
  await client.end();
  assert.deepEqual(rows[0], { u: "u1", d: "db1" });
  await pg.stop();
  // 0 = postgres itself got the fast-shutdown signal (a wrapper swallowing it would end in SIGKILL).
  assert.equal(await pg.exited, 0);
  const again = new Client({ connectionString: pg.url, connectionTimeoutMillis: 1000 });
  await assert.rejects(again.connect());
});

test("postgres: a wrong password is refused (host auth is real, not trust)", async () => {
  const pg = await startPostgres();
  try {
    const client = new Client({
      host: "127.0.0.1",
      port: pg.port,
      user: pg.user,
      password: "wrong",
      database: pg.database,
    });
    await assert.rejects(client.connect(), /password authentication failed/);
  } finally {
    await pg.stop();
  }
});

test("redis: answers PING and stops", async () => {
  const redis = await startRedis();
  const reply = await new Promise<string>((resolve, reject) => {
    const s = connect(redis.port, "127.0.0.1", () => s.write("PING\r\n"));
    s.on("data", (d) => {
      s.end();
      resolve(d.toString());
    });
    s.on("error", reject);
  });
  assert.equal(reply, "+PONG\r\n");
  await redis.stop();
});

test("nginx: -t rejects a broken config with nginx's message; a good one serves", async () => {
  await assert.rejects(testNginxConfig("events {} http { server { listen x; } }"), /nginx -t rejected/);
  const port = await freePort();
  const prefix = makeNginxPrefix();
  const conf = `pid ${prefix}/nginx.pid; events {} http { access_log off; server { listen 127.0.0.1:${port}; return 200 "hi"; } }`;
  await testNginxConfig(conf, prefix);
  const nginx = await startNginx(conf, [port], prefix);
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(await res.text(), "hi");
  } finally {
    await nginx.stop();
  }
});
