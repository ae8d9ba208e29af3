/**
 * `npm run replays -- --watch`: run the selected replays, then again whenever a watched file changes,
 * until Ctrl-C. Changes are debounced (an editor's save is often several events). A change during a
 * run cancels it through the runner's AbortSignal (its running replays are killed, the rest reported
 * as not run) and starts again once it has ended: what runs is always the newest edit, and a slow
 * replay is never waited for. Ctrl-C/SIGTERM cancels the run the same way, waits for it to end, closes
 * the watcher and returns 130/143: nothing is left running.
 */

export const DEBOUNCE_MS = 300;

export interface Watcher {
  close(): Promise<void>;
}

export interface WatchDeps {
  /** One run of the replays; resolves with the runner's exit code once everything it started ended. */
  runOnce: (signal: AbortSignal) => Promise<number>;
  /** Starts watching; `onChange` gets each changed path. */
  watch: (onChange: (path: string) => void) => Watcher;
  /** Ctrl-C / SIGTERM; its reason is the signal's name. */
  stop: AbortSignal;
  /** Progress for humans. */
  log: (line: string) => void;
  debounceMs?: number;
}

/**
 * Runs until `stop`: 130 (143 for SIGTERM). A first run that ends with 2 (a harness error: a bad flag,
 * no replays directory, nothing matches) ends the watch at once with 2: fix it and start again.
 */
export function watchLoop(deps: WatchDeps): Promise<number> {
  const stopCode = () => (deps.stop.reason === "SIGTERM" ? 143 : 130);
  return new Promise((resolve) => {
    let running: AbortController | undefined;
    let again = false;
    let first = true;
    let timer: NodeJS.Timeout | undefined;
    const changed = new Set<string>();

    const finish = (code: number) => {
      clearTimeout(timer);
      void watcher.close().then(() => resolve(code));
    };
    const start = () => {
      again = false;
      const controller = new AbortController();
      running = controller;
      void deps.runOnce(controller.signal).then((code) => {
        running = undefined;
        const wasFirst = first;
        first = false;
        if (deps.stop.aborted) return finish(stopCode());
        if (wasFirst && code === 2) {
          deps.log("the first run failed before any replay ran (exit 2): fix the above, then start again");
          return finish(2);
        }
        if (again) start();
        else deps.log("watching for changes (Ctrl-C to stop)");
      });
    };
    const fire = () => {
      const paths = [...changed];
      changed.clear();
      deps.log(
        `changed: ${paths.slice(0, 3).join(", ")}${paths.length > 3 ? ` (+${paths.length - 3} more)` : ""}`,
      );
      if (running) {
        deps.log("cancelling the run in progress to start again");
        again = true;
        running.abort();
      } else {
        start();
      }
    };

    const watcher = deps.watch((path) => {
      if (deps.stop.aborted) return;
      changed.add(path);
      clearTimeout(timer);
      timer = setTimeout(fire, deps.debounceMs ?? DEBOUNCE_MS);
    });
    deps.stop.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        if (running) running.abort();
        else finish(stopCode());
      },
      { once: true },
    );
    if (deps.stop.aborted) finish(stopCode());
    else start();
  });
}
