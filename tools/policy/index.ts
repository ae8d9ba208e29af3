/**
 * The harness policy pack: `pulumi preview --policy-pack tools/policy` (a CLI with the Node.js language
 * host, e.g. the official one), or `--policy-pack tools/policy/analyzer` (any CLI ≥ 3.276.0 that starts
 * an executable policy pack directly: the toolchain's, which has no language host). The policies
 * and what they check: tools/policy/policies.ts. Serving starts when this module loads (one pack per
 * process), so tests import tools/policy/policies.ts instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { resolve } from "node:path";
import { harnessPolicies } from "./policies";
import { installSecretRecorder } from "./secrets";

const secretsRecorded = installSecretRecorder();

new PolicyPack("harness", {
  policies: harnessPolicies({
    root: resolve(__dirname, "..", ".."),
    // tools/policy/analyzer records where the CLI ran (the pack itself runs in tools/policy/, for package.json).
    cwd: process.env.HARNESS_POLICY_CWD ?? process.cwd(),
    secretsRecorded,
  }),
});
