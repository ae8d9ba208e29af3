/**
 * The unit tier (L1–L4): node's test runner over the given *.test.ts files, one process per file as
 * `node --test` does, with the spec report on stdout and in `--report <file>`, and each failed file's
 * own output (stderr, diagnostics, how its process ended) in `--failures <file>`. `--concurrency N`
 * runs N files at once (default: one less than the CPUs, as `node --test`).
 * Run as `node --import tsx scripts/unit-tier.ts --report R --failures F <files…>`; the test
 * processes inherit the tsx loader. Exit code 1 if any test or file failed.
 */
import { createWriteStream, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { FailureReport, type TestEvent } from "./failure-report";

const { values, positionals } = parseArgs({
  options: { report: { type: "string" }, failures: { type: "string" }, concurrency: { type: "string" } },
  allowPositionals: true,
});
// Absolute paths: node then names each file's own test by the same path its events carry.
const files = positionals.map((file) => resolve(file));
if (!values.report || !values.failures || files.length === 0) {
  console.error(
    "usage: node --import tsx scripts/unit-tier.ts --report <file> --failures <file> <test files…>",
  );
  process.exit(2);
}
// By default the same parallelism as `node --test`.
const concurrency = values.concurrency ? Number(values.concurrency) : Math.max(availableParallelism() - 1, 1);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`unit tier: --concurrency must be a whole number ≥ 1, got ${values.concurrency}`);
  process.exit(2);
}

async function main(report: string, failuresFile: string): Promise<number> {
  const failures = new FailureReport();
  let failed = false;
  const events = run({ files, concurrency });
  events.on("test:fail", () => (failed = true));
  for (const type of ["test:fail", "test:complete", "test:stderr", "test:stdout", "test:diagnostic"]) {
    events.on(type, (data: TestEvent["data"]) => failures.add({ type, data }));
  }

  // One spec report, written both to the terminal and to the report file.
  const text = events.pipe(new spec());
  const toFile = createWriteStream(report);
  text.on("data", (chunk: string | Buffer) => {
    process.stdout.write(chunk);
    toFile.write(chunk);
  });
  await finished(text);
  toFile.end();
  await finished(toFile);

  writeFileSync(failuresFile, failures.render());
  return failed ? 1 : 0;
}

main(values.report, values.failures).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("unit tier: the test runner itself failed:", error);
    process.exit(2);
  },
);
