import type { Pool } from "pg";
import { retryUntil } from "../retry";
import { redactUrl } from "../validate";
import { createPool } from "./pool";

/** Opens the pool and proves the database answers, retrying until `timeoutMs` (boot fails after). */
export async function connectPostgres(databaseUrl: string, timeoutMs: number): Promise<Pool> {
  const pool = createPool(databaseUrl);
  pool.on("error", () => undefined); // idle-client errors: the next query reconnects
  try {
    await retryUntil(`postgres at ${redactUrl(databaseUrl)} (DATABASE_URL)`, () => pool.query("SELECT 1"), {
      timeoutMs,
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return pool;
}
