/**
 * The Pulumi mocks that make `setMocks` real: each custom resource the program registers is created
 * on the Docker engine (or run, for Commands) by the emulation of its provider in docker-ops/, and
 * recorded in the ledger for the destroy. The SDK registers a resource only after everything it
 * depends on was created, so creating inside `newResource` happens in a valid order, with
 * independent resources in parallel — as the Pulumi engine schedules them.
 */
import type * as pulumi from "@pulumi/pulumi";
import { unwrapSecrets } from "../tests/pulumi/load-program";
import { createCommand } from "./docker-ops/command";
import { createContainer } from "./docker-ops/container";
import type { Created, OpContext } from "./docker-ops/context";
import { createImage } from "./docker-ops/image";
import { createNetwork } from "./docker-ops/network";
import { createRemoteImage } from "./docker-ops/remote-image";

type Create = (inputs: Record<string, unknown>, ctx: OpContext) => Promise<Created>;

export const EMULATED: Record<string, Create> = {
  "docker:index/image:Image": createImage,
  "docker:index/remoteImage:RemoteImage": createRemoteImage,
  "docker:index/network:Network": createNetwork,
  "docker:index/container:Container": createContainer,
  "command:local:Command": createCommand,
};

export function dockerMocks(base: Omit<OpContext, "type" | "name">): pulumi.runtime.Mocks {
  return {
    call: (args) => {
      throw new Error(`the e2e driver does not emulate the invoke ${args.token}`);
    },
    newResource: async (args) => {
      // Components (and the Stack) exist only in Pulumi's graph: nothing to create.
      if (args.custom === false) return { id: undefined, state: {} };
      const create = EMULATED[args.type];
      if (!create) {
        throw new Error(
          `the e2e driver does not emulate ${args.type} (${args.name}); add it to e2e/mocks.ts`,
        );
      }
      const inputs = unwrapSecrets(args.inputs, "", []) as Record<string, unknown>;
      try {
        return await create(inputs, { ...base, type: args.type, name: args.name });
      } catch (error) {
        // Said at once (the up goes on with independent resources until they are done).
        base.log.warn(`${args.name} failed: ${(error as Error).message.split("\n")[0]}`);
        throw error;
      }
    },
  };
}
