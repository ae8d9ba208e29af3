/** What every emulated resource operation gets (explicit dependencies, no globals). */
import type Docker from "dockerode";
import type { Cancellation } from "../cancel";
import type { Ledger } from "../ledger";
import type { Log } from "../log";
import type { Timings } from "../timings";

export interface OpContext {
  docker: Docker;
  log: Log;
  cancel: Cancellation;
  ledger: Ledger;
  timings: Timings;
  /** Pulumi type token and resource name of the resource being created. */
  type: string;
  name: string;
}

/** What a provider's Create returns: the id and the output properties. */
export interface Created {
  id: string;
  state: Record<string, unknown>;
}

/**
 * Fails on any input the emulation does not implement, so the driver can never silently create
 * something different from what the program declared.
 */
export function assertInputsEmulated(
  ctx: Pick<OpContext, "type" | "name">,
  inputs: object,
  supported: readonly string[],
): void {
  const unknown = Object.keys(inputs).filter((key) => !supported.includes(key));
  if (unknown.length > 0) {
    throw new Error(
      `${ctx.type} ${ctx.name}: input(s) ${unknown.join(", ")} are not emulated by the e2e driver ` +
        `(e2e/docker-ops); implement them there before the program uses them`,
    );
  }
}
