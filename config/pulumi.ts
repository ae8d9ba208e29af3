/**
 * Reads the `harness` namespace from the Pulumi runtime and validates it. An invalid config becomes
 * a RunError: Pulumi prints its message (every problem, with its fix) without a stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { harnessKeys, parseHarnessConfig } from "./parse";
import type { HarnessConfig } from "./schema";

export function readHarnessConfig(repoRoot: string): HarnessConfig {
  try {
    return parseHarnessConfig(harnessKeys(pulumi.runtime.allConfig()), {
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
      repoRoot,
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}
