/** docker.Network: a labelled bridge network named by the program; removed on destroy. */
import { assertInputsEmulated, type Created, type OpContext } from "./context";

interface LabelInput {
  label: string;
  value: string;
}

export function labelMap(labels: unknown): Record<string, string> {
  return Object.fromEntries(((labels ?? []) as LabelInput[]).map((l) => [l.label, String(l.value)]));
}

export async function createNetwork(inputs: Record<string, unknown>, ctx: OpContext): Promise<Created> {
  assertInputsEmulated(ctx, inputs, ["name", "driver", "labels", "options", "internal", "attachable"]);
  const name = String(inputs.name);
  const network = await ctx.cancel.run(async () => {
    const made = await ctx.docker.createNetwork({
      Name: name,
      Driver: (inputs.driver as string | undefined) ?? "bridge",
      Labels: labelMap(inputs.labels),
      Options: (inputs.options as Record<string, string> | undefined) ?? {},
      Internal: inputs.internal === true,
      Attachable: inputs.attachable === true,
      CheckDuplicate: true,
    });
    ctx.ledger.add({ kind: "network", type: ctx.type, name: ctx.name, id: made.id, networkName: name });
    return made;
  });
  ctx.log.info(`network created: ${name}`);
  return {
    id: network.id,
    state: {
      ...inputs,
      name,
      driver: inputs.driver ?? "bridge",
      scope: "local",
      internal: inputs.internal === true,
    },
  };
}
