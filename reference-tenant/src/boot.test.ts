/** Boot: bounded retries with clear failure messages, config refusal, idempotent migrations. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { freePort } from "../../tools/loopback/free-port";
import { startPostgres } from "../../tools/loopback/postgres";
import type { BootLogger } from "./boot";
import { ConfigError } from "./config";
import {
  admin,
  call,
  createWorkspace,
  freshDatabase,
  startBackends,
  startTenant,
  tenantEnv,
  type Backends,
} from "./test-support/index";

const REPO = join(__dirname, "..", "..");
let backends: Backends;

before(async () => {
  backends = await startBackends();
});

after(async () => {
  await backends?.stop();
});

async function deadDatabaseUrl(): Promise<string> {
  return `postgres://harness:supersecret@127.0.0.1:${await freePort()}/molecule?sslmode=disable`;
}

describe("boot failures (in-process)", () => {
  test("no database reachable: a bounded retry, then a message naming DATABASE_URL without its password", async () => {
    const url = await deadDatabaseUrl();
    const error = await startTenant(
      tenantEnv(backends, { DATABASE_URL: url, BOOT_DEPENDENCY_TIMEOUT_MS: "1200" }),
    ).then(
      () => assert.fail("boot should fail"),
      (e: Error) => e,
    );
    assert.match(error.message, /^postgres at postgres:\/\/harness:\*\*\*@127\.0\.0\.1:\d+\/molecule/);
    const tries = /\(DATABASE_URL\) unreachable after (\d+) attempt\(s\) in 1 s: .*ECONNREFUSED/.exec(
      error.message,
    );
    assert.ok(tries, error.message);
    // Retried every 100 ms (retry.ts) within the 1.2 s budget: several attempts, never unbounded.
    assert.ok(Number(tries[1]) >= 2 && Number(tries[1]) <= 13, `${tries[1]} attempts`);
    assert.doesNotMatch(error.message, /supersecret/);
  });

  test("no redis reachable: the same, naming REDIS_URL", async () => {
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    const error = await startTenant(
      tenantEnv(backends, { REDIS_URL: redisUrl, BOOT_DEPENDENCY_TIMEOUT_MS: "1000" }),
    ).then(
      () => assert.fail("boot should fail"),
      (e: Error) => e,
    );
    assert.match(
      error.message,
      /^redis at redis:\/\/127\.0\.0\.1:\d+ \(REDIS_URL\) unreachable after \d+ attempt\(s\)/,
    );
  });

  test("a database that comes up late is waited for", async () => {
    const port = await freePort();
    const env = tenantEnv(backends, {
      DATABASE_URL: `postgres://harness:harness@127.0.0.1:${port}/molecule?sslmode=disable`,
      BOOT_DEPENDENCY_TIMEOUT_MS: "30000",
    });
    const booting = startTenant(env);
    await new Promise((r) => setTimeout(r, 700));
    const late = await startPostgres({ port });
    try {
      const tenant = await booting;
      assert.equal((await call(tenant.url, "GET", "/health")).status, 200);
      await tenant.close();
    } finally {
      await late.stop();
    }
  });

  test("production without SECRETS_ENCRYPTION_KEY, or with a wrong-length one, is refused before any I/O", async () => {
    const noDb = await deadDatabaseUrl(); // never contacted: config is checked first
    for (const [key, pattern] of [
      [undefined, /SECRETS_ENCRYPTION_KEY is required when MOLECULE_ENV=production/],
      ["", /SECRETS_ENCRYPTION_KEY is required/],
      [Buffer.alloc(16).toString("base64"), /SECRETS_ENCRYPTION_KEY must be 32 bytes/],
      ["x".repeat(33), /SECRETS_ENCRYPTION_KEY must be 32 bytes/],
    ] as const) {
      const env = tenantEnv(backends, { DATABASE_URL: noDb, SECRETS_ENCRYPTION_KEY: key });
      if (key === undefined) delete env.SECRETS_ENCRYPTION_KEY;
      await assert.rejects(
        startTenant(env),
        (e: Error) => e instanceof ConfigError && pattern.test(e.message),
      );
    }
  });

  test("a bad CP_UPSTREAM_URL is refused", async () => {
    await assert.rejects(
      startTenant(tenantEnv(backends, { CP_UPSTREAM_URL: "cp-stub:9090" })),
      /CP_UPSTREAM_URL must be an http\(s\) URL with a host \(got "cp-stub:9090"\)/,
    );
  });
});

describe("migrations", () => {
  test("run on boot, idempotent across restarts, and data survives", async () => {
    const url = await freshDatabase(backends, "migrate_twice");
    const lines: { msg: string; obj: object }[] = [];
    const log: BootLogger = { info: (obj, msg) => lines.push({ msg, obj }), warn: () => undefined };
    const first = await startTenant(tenantEnv(backends, { DATABASE_URL: url }), { bootLog: log });
    const id = await createWorkspace(first.url, { name: "survivor" });
    await first.close();
    const second = await startTenant(tenantEnv(backends, { DATABASE_URL: url }), { bootLog: log });
    try {
      const applied = lines
        .filter((l) => l.msg === "tenant: migrations done")
        .map((l) => (l.obj as { applied: string[] }).applied);
      assert.ok(applied[0].length >= 4, "the first boot applies every migration");
      assert.deepEqual(applied[1], [], "the second applies none");
      const list = (await call(second.url, "GET", "/workspaces", { headers: admin() })).json<
        { id: string }[]
      >();
      assert.ok(list.some((w) => w.id === id));
    } finally {
      await second.close();
    }
  });

  test("two tenants booting against one fresh database at once both come up", async () => {
    const url = await freshDatabase(backends, "migrate_race");
    const [a, b] = await Promise.all([
      startTenant(tenantEnv(backends, { DATABASE_URL: url })),
      startTenant(tenantEnv(backends, { DATABASE_URL: url })),
    ]);
    assert.equal((await call(a.url, "GET", "/health")).status, 200);
    assert.equal((await call(b.url, "GET", "/health")).status, 200);
    await a.close();
    await b.close();
  });
});

describe("boot failures (process)", () => {
  const runMain = (env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", join(REPO, "reference-tenant/src/main.ts")], {
        cwd: REPO,
        env: { PATH: process.env.PATH, ...env },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("exit", (code) => resolve({ code, stderr }));
    });

  test("main exits 1 with the reason on its last stderr line", async () => {
    const noDb = await runMain(
      tenantEnv(backends, { DATABASE_URL: await deadDatabaseUrl(), BOOT_DEPENDENCY_TIMEOUT_MS: "800" }),
    );
    assert.equal(noDb.code, 1);
    assert.match(
      noDb.stderr.trim().split("\n").at(-1) ?? "",
      /^tenant: boot failed: postgres at .*unreachable/,
    );

    const env = tenantEnv(backends);
    delete env.SECRETS_ENCRYPTION_KEY;
    const noKey = await runMain(env);
    assert.equal(noKey.code, 1);
    assert.match(
      noKey.stderr,
      /tenant: boot failed: invalid configuration:\n {2}- SECRETS_ENCRYPTION_KEY is required/,
    );
  });
});
