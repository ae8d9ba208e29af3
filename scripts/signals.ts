/** SIGINT/SIGTERM subscription for the long-running CLIs (npm run harness). */
export type TerminationSignal = "SIGINT" | "SIGTERM";

/** Calls `handler` on SIGINT or SIGTERM (instead of Node's default exit); returns the unsubscribe. */
export function onTerminationSignal(handler: (signal: TerminationSignal) => void): () => void {
  const onInt = () => handler("SIGINT");
  const onTerm = () => handler("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return () => {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  };
}
