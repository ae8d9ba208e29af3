/**
 * Runs the replays after the seed (runner/cli.ts run --command-mode), then the stack's own suites
 * (HARNESS_SUITES). Triggers: a content hash of the replays, the runner and the contracts, plus the
 * image digests and container ids under test, plus the suites' config and files — an unchanged
 * harness does not re-run, any change does (or every `up`, with rerun "always").
 * The runner exits 0 when replays fail (a failed create would lose its outputs): failure is data in
 * the summary; only a harness error (exit 2) fails the `up`.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { SEED_ENV } from "../program/contracts/seed";
import { SUITES_ENV, type SuiteSpec } from "../program/contracts/suites";
import { summaryPassed, type ReplaySummary } from "../program/contracts/summary";
import { TARGET_ENV } from "../program/contracts/target";
import { parseSummary, replaysCommand, type ReplaysCommandOptions } from "../runner/invoke";
import { HarnessComponent } from "./component";

export interface ReplaysArgs extends ReplaysCommandOptions {
  repoRoot: string;
  target: pulumi.Input<string>;
  /** The seed's stdout (SeedResult JSON), handed over as HARNESS_SEED. */
  seed: pulumi.Input<string>;
  /** Content hash of the replays + runner + contracts (program/lib/triggers.ts). */
  contentHash: string;
  /** The stack's own suites (`harness:suites`, cwd relative to repoRoot), run after the replays. */
  suites: SuiteSpec[];
  /** Their config and the files of their cwds (program/lib/triggers.ts suiteInputsHash). */
  suitesHash: string;
  /** Image digests/ids and container ids the replays test. */
  tested: pulumi.Input<string>[];
  /** Set to a fresh value each run for rerun "always". */
  rerunNonce?: string;
  after: pulumi.Resource[];
}

export class Replays extends HarnessComponent {
  public readonly command: command.local.Command;
  public readonly summary: pulumi.Output<ReplaySummary>;
  public readonly passed: pulumi.Output<boolean>;
  public readonly reports: pulumi.Output<ReplaySummary["reports"]>;

  constructor(name: string, args: ReplaysArgs, opts?: pulumi.ComponentResourceOptions) {
    super("Replays", name, opts);
    const run = replaysCommand(args);
    const triggers: pulumi.Input<string>[] = [`content:${args.contentHash}`, ...args.tested];
    // Editing a suite or its config re-runs the Command (its replays too: one runner, one summary).
    if (args.suites.length > 0) triggers.push(`suites:${args.suitesHash}`);
    if (args.rerunNonce !== undefined) triggers.push(`rerun:${args.rerunNonce}`);
    const environment: Record<string, pulumi.Input<string>> = {
      [TARGET_ENV]: pulumi.secret(args.target),
      [SEED_ENV]: args.seed,
    };
    if (args.suites.length > 0) environment[SUITES_ENV] = JSON.stringify(args.suites);
    this.command = new command.local.Command(
      this.child("command"),
      {
        create: run,
        update: run,
        dir: args.repoRoot,
        environment,
        triggers,
        addPreviousOutputInEnv: false,
        logging: "stderr",
      },
      this.childOpts({ dependsOn: args.after }),
    );
    // Secret because the environment is (HARNESS_TARGET); the summary carries no secret.
    this.summary = pulumi.unsecret(this.command.stdout).apply(parseSummary);
    this.passed = this.summary.apply(summaryPassed);
    this.reports = this.summary.apply((s) => s.reports);
    this.done({ summary: this.summary, passed: this.passed });
  }
}
