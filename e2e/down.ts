/**
 * `npm run e2e:down`: tear down stacks a run left up (KEEP_UP=1) or a crash left behind — from the
 * recorded ledger (reverse order, running the program's delete Commands), then anything still
 * labelled for the stack. Without --stack: every stack with a ledger, else the default stack `e2e`.
 */
import type Docker from "dockerode";
import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { projectName } from "../tests/pulumi/load-program";
import { assertDockerReachable } from "./docker-ops/client";
import { Ledger, ledgerPath } from "./ledger";
import type { Log } from "./log";
import { teardownStack } from "./run-stack";
import { countLabelled, describeLabelled, findLabelled } from "./sweeper";

export function recordedStacks(repoRoot: string): string[] {
  try {
    return readdirSync(dirname(ledgerPath(repoRoot, "x")))
      .filter((f) => f.endsWith(".state.json"))
      .map((f) => f.slice(0, -".state.json".length))
      .sort();
  } catch {
    return [];
  }
}

/** Returns 0 when every stack is gone without a trace, 1 otherwise. */
export async function downStacks(
  stacks: string[],
  deps: { docker: Docker; log: Log; repoRoot: string },
): Promise<number> {
  await assertDockerReachable(deps.docker);
  const project = projectName(deps.repoRoot);
  const targets = stacks.length > 0 ? stacks : recordedStacks(deps.repoRoot);
  if (targets.length === 0) targets.push("e2e");
  let clean = true;
  for (const stack of targets) {
    const stackLabel = `${project}/${stack}`;
    const ledger = Ledger.open(ledgerPath(deps.repoRoot, stack), { project, stack });
    const before = await findLabelled(deps.docker, stackLabel);
    if (ledger.empty && countLabelled(before) === 0) {
      deps.log.info(`stack ${stack}: nothing recorded, nothing labelled harness.stack=${stackLabel}`);
      continue;
    }
    deps.log.info(
      `stack ${stack}: tearing down (${describeLabelled(before).length} labelled objects on the engine)`,
    );
    const teardown = await teardownStack(ledger, stackLabel, deps, { leftoversAreLeaks: false });
    const after = await findLabelled(deps.docker, stackLabel);
    if (countLabelled(after) > 0 || teardown.failures.length > 0) {
      clean = false;
      deps.log.warn(
        `stack ${stack}: still labelled: ${describeLabelled(after).join(", ") || "-"}; failures: ${teardown.failures.join("; ") || "-"}`,
      );
    } else {
      deps.log.info(`stack ${stack}: gone (nothing labelled harness.stack=${stackLabel} remains)`);
    }
  }
  return clean ? 0 : 1;
}
