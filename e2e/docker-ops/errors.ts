/** Docker API errors as dockerode reports them (an HTTP status on the error). */

export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** 404: the object is already gone (deletes are idempotent, as the provider's are). */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** Runs a delete, treating "already gone" (and the statuses in `alsoFine`) as done. */
export async function ignoreGone(op: () => Promise<unknown>, alsoFine: number[] = []): Promise<void> {
  try {
    await op();
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || (status !== undefined && alsoFine.includes(status))) return;
    throw error;
  }
}
