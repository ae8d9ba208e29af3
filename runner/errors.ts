/**
 * A problem with the harness itself (bad target/seed env, missing replays dir, bad flags, unreachable
 * tenant during seed), as opposed to a replay that failed. The CLI maps it to exit code 2.
 */
export class HarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HarnessError";
  }
}

/** One readable line for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
