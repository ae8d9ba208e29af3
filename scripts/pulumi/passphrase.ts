/** docs/pulumi.md: the documented passphrase of the local-only default stack. */
export const DEFAULT_PASSPHRASE = "harness-local-only";

/**
 * What to add to an engine operation's environment: the documented passphrase, unless the caller set
 * PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (then nothing: theirs wins).
 */
export function passphraseEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return env.PULUMI_CONFIG_PASSPHRASE || env.PULUMI_CONFIG_PASSPHRASE_FILE
    ? {}
    : { PULUMI_CONFIG_PASSPHRASE: DEFAULT_PASSPHRASE };
}
