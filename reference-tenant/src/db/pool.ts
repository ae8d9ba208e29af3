import { Pool, types as pgTypes, type CustomTypesConfig } from "pg";

const TIMESTAMPTZ_OID = 1184;
const INT8_OID = 20;

/**
 * Postgres prints timestamptz as `2026-05-01 10:00:00.123456+00` (session TimeZone=UTC). Rewrite it as
 * RFC 3339 without going through Date: JS dates stop at milliseconds, and activity `before_ts`
 * paging compares against the microseconds the row really has.
 */
export function timestamptzToRfc3339(text: string): string {
  const m =
    /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(
      text,
    );
  if (!m) return text; // infinity / BC dates: nothing sensible to rewrite
  const [, date, time, sign, hh, mm = "00"] = m;
  if (hh === "00" && mm === "00") return `${date}T${time}Z`;
  return `${date}T${time}${sign}${hh}:${mm}`;
}

const typeOverrides: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === TIMESTAMPTZ_OID) return timestamptzToRfc3339;
    if (oid === INT8_OID) return (value: string) => Number(value); // counters, far below 2^53
    return pgTypes.getTypeParser(oid, format);
  }) as CustomTypesConfig["getTypeParser"],
};

/** A pool for the tenant's own database; timestamps come back as RFC 3339 strings in UTC. */
export function createPool(databaseUrl: string): Pool {
  return new Pool({
    connectionString: databaseUrl,
    types: typeOverrides,
    options: "-c TimeZone=UTC",
    connectionTimeoutMillis: 5_000,
    max: 20,
  });
}
