/**
 * Reads the `harness` namespace from the Pulumi runtime and validates it. An invalid config becomes
 * a RunError: Pulumi prints its message (every problem, with its fix) without a stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";
import { harnessKeys, parseHarnessConfig } from "./parse";
import type { HarnessConfig } from "./schema";

/**
 * Whether a config key holds a secret (`pulumi config set --secret`, or `--path --secret` under it):
 * the SDK knows (the language host hands it the secret keys) but marks the function internal, so
 * it is looked up, and without it nothing is claimed.
 */
function configIsSecret(key: string): boolean | undefined {
  const lookup = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  return lookup?.(key);
}

export function readHarnessConfig(repoRoot: string): HarnessConfig {
  try {
    return parseHarnessConfig(harnessKeys(pulumi.runtime.allConfig()), {
      project: pulumi.getProject(),
      stack: pulumi.getStack(),
      repoRoot,
      isSecret: configIsSecret,
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}
