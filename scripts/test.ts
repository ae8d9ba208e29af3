/**
 * `npm test`: every tier of the verification ladder (docs/design.md#verification-ladder), in order, each
 * reported.
 *   static  L0  typecheck, lint, format check
 *   unit    L1–L4  node's test runner over every *.test.ts (real postgres/redis/nginx on loopback)
 *   replays-local  the whole replay suite against the loopback topology (`npm run replays:local`)
 *   pulumi  L6  the real engine (the CLI and plugins from `npm run pulumi:toolchain`) on a real Docker
 *               engine: tests/engine/*.pulumi.test.ts, one file at a time; fails — never skips — when
 *               the toolchain or Docker is missing, saying what to run
 * `npm test -- <tier> …` runs only the named tiers. A tier that fails does not stop the others,
 * so one run shows everything that is wrong; the exit code is non-zero if any tier failed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import fg from "fast-glob";

// The unit tier's report also goes to a file, and each failed file's own output to another, so the
// failures can be shown again at the very end: by then later tiers have printed thousands of lines,
// and a CI log is often read from the bottom.
const UNIT_REPORT = ".harness/test-logs/unit.txt";
const UNIT_FAILURES = ".harness/test-logs/unit-failures.txt";

interface Tier {
  name: string;
  steps: string[][];
}

function testFiles(): string[] {
  return fg
    .sync(["**/*.test.ts"], {
      ignore: ["node_modules/**", "**/*.pulumi.test.ts", ".harness/**", ".engine-test-*/**"],
    })
    .sort();
}

const tiers: Tier[] = [
  {
    name: "static",
    steps: [
      ["npx", "tsc", "--noEmit", "-p", "tsconfig.json"],
      ["npx", "eslint", "."],
      ["npx", "prettier", "--check", "."],
    ],
  },
  {
    name: "unit",
    steps: [
      [
        "node",
        "--import",
        "tsx",
        "scripts/unit-tier.ts",
        "--report",
        UNIT_REPORT,
        "--failures",
        UNIT_FAILURES,
        ...testFiles(),
      ],
    ],
  },
  // Every replay must PASS against the reference tenants: `N passed, 0 failed, 0 skipped` or the tier fails.
  { name: "replays-local", steps: [["npx", "tsx", "scripts/replays-local.ts", "--strict"]] },
  // Last: the slowest tier, the one that needs Docker and the toolchain. One file at a time: each
  // boots whole stacks, and two at once on two cores would only measure contention.
  {
    name: "pulumi",
    steps: [
      // The command provider is this project's own code: its Go unit tests first.
      ["go", "-C", "tools/toolchain/command", "test", "-count=1", "./..."],
      [
        "node",
        "--import",
        "tsx",
        "--test",
        "--test-concurrency=1",
        "--test-reporter=spec",
        ...fg.sync(["tests/engine/*.pulumi.test.ts", "tools/policy/*.pulumi.test.ts"]).sort(),
      ],
    ],
  },
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !tiers.some((tier) => tier.name === name));
if (unknown.length > 0) {
  console.error(`unknown tier(s): ${unknown.join(", ")}; known: ${tiers.map((t) => t.name).join(", ")}`);
  process.exit(2);
}

/** What the unit tier recorded about its failed files, cut to a length a CI log keeps. */
function unitFailures(): string | undefined {
  if (!existsSync(UNIT_FAILURES)) return undefined;
  const lines = readFileSync(UNIT_FAILURES, "utf8").split("\n");
  const shown = lines.slice(0, 300).join("\n");
  return lines.length > 300 ? `${shown}\n… (${lines.length - 300} more lines in ${UNIT_FAILURES})` : shown;
}

mkdirSync(".harness/test-logs", { recursive: true });
for (const file of [UNIT_REPORT, UNIT_FAILURES]) rmSync(file, { force: true });

const results: { name: string; ok: boolean; seconds: number }[] = [];
for (const tier of tiers.filter((t) => wanted.length === 0 || wanted.includes(t.name))) {
  const started = Date.now();
  let ok = true;
  for (const [command, ...args] of tier.steps) {
    console.error(`\n[test] ${tier.name}: ${command} ${args.join(" ")}`.slice(0, 300));
    const run = spawnSync(command, args, { stdio: "inherit" });
    if (run.status !== 0) ok = false;
  }
  results.push({ name: tier.name, ok, seconds: Math.round((Date.now() - started) / 1000) });
}

const unitFailed = results.some((r) => r.name === "unit" && !r.ok);
const failures = unitFailed ? unitFailures() : undefined;
if (failures) console.error(`\n[test] unit failures, again (full report: ${UNIT_REPORT}):\n${failures}`);

console.error("\n[test] tiers:");
for (const r of results) console.error(`[test]   ${r.ok ? "PASS" : "FAIL"}  ${r.name} (${r.seconds}s)`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
