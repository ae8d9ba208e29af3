/** Child side of loadProgramIsolated: one program load in a fresh process, result written as JSON. */
import { writeFileSync } from "node:fs";
import { loadProgram, type IsolatedLoadOptions } from "./load-program";

async function main(): Promise<void> {
  const options = JSON.parse(process.env.HARNESS_LOADER_OPTIONS ?? "{}") as IsolatedLoadOptions;
  const result = await loadProgram(options);
  writeFileSync(process.env.HARNESS_LOADER_RESULT ?? "/dev/stdout", JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
