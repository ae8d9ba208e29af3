/**
 * The watch loop (watch.ts) with a stand-in runner and watcher, on mocked timers: the debounce, a
 * change during a run (cancel, then start again), Ctrl-C/SIGTERM (the run is cancelled and awaited,
 * the watcher closed), and a first run that cannot start.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { DEBOUNCE_MS, watchLoop } from "./watch";

/** Lets the promise callbacks run (setImmediate is not mocked). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

interface Harness {
  /** Each run's signal, in order. */
  runs: AbortSignal[];
  /** Ends run `i` with `code` (a cancelled run ends on its own with 130, as the runner's main does). */
  end(i: number, code: number): void;
  change(path: string): void;
  stop: AbortController;
  closed: () => boolean;
  log: string[];
  result: Promise<number>;
}

function start(t: TestContext, firstCodes: number[] = []): Harness {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const runs: AbortSignal[] = [];
  const enders: ((code: number) => void)[] = [];
  let onChange: ((path: string) => void) | undefined;
  let closed = false;
  const stop = new AbortController();
  const log: string[] = [];
  const result = watchLoop({
    runOnce: (signal) =>
      new Promise<number>((resolve) => {
        runs.push(signal);
        enders.push(resolve);
        signal.addEventListener("abort", () => resolve(130), { once: true });
        const code = firstCodes.shift();
        if (code !== undefined) resolve(code);
      }),
    watch: (cb) => {
      onChange = cb;
      return { close: async () => void (closed = true) };
    },
    stop: stop.signal,
    log: (line) => log.push(line),
  });
  return {
    runs,
    end: (i, code) => enders[i](code),
    change: (path) => onChange!(path),
    stop,
    closed: () => closed,
    log,
    result,
  };
}

test("runs once at start, then once per burst of changes (debounced)", async (t) => {
  const h = start(t);
  assert.equal(h.runs.length, 1, "the first run starts at once");
  h.end(0, 0);
  await settle();
  h.change("replays/a.ts");
  t.mock.timers.tick(DEBOUNCE_MS - 1);
  h.change("replays/a.ts");
  h.change("replays/lib/b.ts");
  t.mock.timers.tick(DEBOUNCE_MS - 1);
  assert.equal(h.runs.length, 1, "no run while the changes keep coming");
  t.mock.timers.tick(1);
  assert.equal(h.runs.length, 2, "one run for the burst");
  assert.ok(h.log.includes("changed: replays/a.ts, replays/lib/b.ts"), h.log.join("\n"));
  h.end(1, 1);
  await settle();
  assert.ok(h.log.at(-1)!.startsWith("watching for changes"), "a failed run keeps watching");
  h.stop.abort("SIGINT");
  assert.equal(await h.result, 130);
  assert.ok(h.closed(), "the watcher is closed");
});

test("a change during a run cancels it and starts again once it ended", async (t) => {
  const h = start(t);
  h.change("replays/a.ts");
  t.mock.timers.tick(DEBOUNCE_MS);
  assert.ok(h.runs[0].aborted, "the run in progress is cancelled through its signal");
  assert.equal(h.runs.length, 1, "not before it ended");
  await settle();
  assert.equal(h.runs.length, 2, "the next run starts after the cancelled one ended");
  assert.equal(h.runs[1].aborted, false);
  h.stop.abort("SIGTERM");
  assert.ok(h.runs[1].aborted, "Ctrl-C/SIGTERM cancels the running replays");
  assert.equal(await h.result, 143, "SIGTERM: 143");
  assert.ok(h.closed());
});

test("Ctrl-C while idle ends at once; changes after it start nothing", async (t) => {
  const h = start(t, [0]);
  await settle();
  h.stop.abort("SIGINT");
  h.change("replays/a.ts");
  t.mock.timers.tick(DEBOUNCE_MS);
  assert.equal(await h.result, 130);
  assert.equal(h.runs.length, 1);
  assert.ok(h.closed());
});

test("a pending debounced change is dropped by Ctrl-C", async (t) => {
  const h = start(t, [0]);
  await settle();
  h.change("replays/a.ts");
  h.stop.abort("SIGINT");
  t.mock.timers.tick(DEBOUNCE_MS);
  assert.equal(await h.result, 130);
  assert.equal(h.runs.length, 1);
});

test("a first run that fails before any replay (exit 2) ends the watch with 2", async (t) => {
  const h = start(t, [2]);
  assert.equal(await h.result, 2);
  assert.ok(h.closed());
  assert.match(h.log.join("\n"), /fix the above, then start again/);
});

test("a later exit 2 (e.g. the only matching replay was renamed) keeps watching", async (t) => {
  const h = start(t, [0, 2]);
  await settle();
  h.change("replays/a.ts");
  t.mock.timers.tick(DEBOUNCE_MS);
  await settle();
  assert.equal(h.runs.length, 2);
  assert.ok(h.log.at(-1)!.startsWith("watching for changes"));
  h.stop.abort("SIGINT");
  assert.equal(await h.result, 130);
});
