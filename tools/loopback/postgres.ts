import { execFile, execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { postgresBinDir } from "./binaries";
import { onFreePort } from "./free-port";
import { startProcess, waitUntil } from "./process";

const run = promisify(execFile);

export interface PostgresOptions {
  user?: string;
  password?: string;
  /** Database created after boot (the superuser's own `postgres` database always exists). */
  database?: string;
  port?: number;
}

/** A throwaway PostgreSQL server on 127.0.0.1, its data in a temp dir removed on stop. */
export interface LoopbackPostgres {
  readonly url: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly logFile: string;
  /** The server's exit code once it has stopped (0 after a clean fast shutdown). */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

// PostgreSQL refuses to run as root; on CI (root) the servers run as Debian's `postgres` user.
// setpriv execs the command in place (runuser would stay as a parent that swallows SIGINT, postgres's
// fast-shutdown signal), so the signals we send reach postgres itself.
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (userInfo().uid !== 0) return [command, args];
  return ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", command, ...args]];
}

function handOverToServerUser(paths: string[]): void {
  if (userInfo().uid !== 0) return;
  const { uid, gid } = serverUserIds();
  for (const path of paths) chownSync(path, uid, gid);
}

function serverUserIds(): { uid: number; gid: number } {
  // `id` keeps this free of a passwd-parsing dependency; Debian's postgresql package creates the user.
  const out = execFileSync("id", ["postgres"], { encoding: "utf8" });
  const uid = /uid=(\d+)/.exec(out);
  const gid = /gid=(\d+)/.exec(out);
  if (!uid || !gid)
    throw new Error("running as root but there is no `postgres` user: apt-get install -y postgresql");
  return { uid: Number(uid[1]), gid: Number(gid[1]) };
}

export async function startPostgres(options: PostgresOptions = {}): Promise<LoopbackPostgres> {
  const user = options.user ?? "harness";
  const password = options.password ?? "harness";
  const database = options.database ?? "molecule";
  const bin = postgresBinDir();

  const dir = mkdtempSync(join(tmpdir(), "harness-pg-"));
  const dataDir = join(dir, "data");
  const pwFile = join(dir, "pwfile");
  writeFileSync(pwFile, password);
  handOverToServerUser([dir, pwFile]);

  const initdb = asServerUser(join(bin, "initdb"), [
    "-D",
    dataDir,
    "-U",
    user,
    `--pwfile=${pwFile}`,
    "-E",
    "UTF8",
    "--no-sync",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
  ]);
  try {
    await run(initdb[0], initdb[1]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(error as Error).message}`);
  }

  const logFile = join(dir, "postgres.log");
  const launch = async (port: number) => {
    const server = asServerUser(join(bin, "postgres"), [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "max_connections=200",
    ]);
    // SIGINT is postgres's "fast" shutdown; SIGTERM ("smart") would wait for every client to leave.
    const proc = startProcess(server[0], server[1], logFile, { stopSignal: "SIGINT" });
    // The timeout frees a probe stuck on a port someone else accepts on and never answers.
    const adminConfig = {
      host: "127.0.0.1",
      port,
      user,
      password,
      database: "postgres",
      connectionTimeoutMillis: 5000,
    };
    try {
      await waitUntil(
        `postgres on 127.0.0.1:${port}`,
        async () => {
          const client = new Client(adminConfig);
          await client.connect();
          await client.end();
          return true;
        },
        { process: proc },
      );
      const client = new Client(adminConfig);
      await client.connect();
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      await client.end();
    } catch (error) {
      await proc.stop(10_000);
      throw error;
    }
    return { port, proc };
  };

  const { port, proc } = await onFreePort(options.port, launch).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const stop = async () => {
    await proc.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  };

  const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}?sslmode=disable`;
  return { url, port, user, password, database, logFile, exited: proc.exited, stop };
}
