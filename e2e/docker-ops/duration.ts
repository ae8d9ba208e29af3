/**
 * Go duration strings (`time.ParseDuration`), as the docker provider's healthcheck takes them
 * ("1s", "300ms", "1m30s"; "0s" / "" = 0, which Docker reads as "inherit the 30 s default").
 */
const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Nanoseconds in `text`. Stricter than the provider, which ignores a parse error and sends 0 (so a
 * typo silently became Docker's 30 s default there): here it is an error naming the value.
 */
export function parseGoDuration(text: string | undefined): number {
  if (text === undefined || text === "" || text === "0") return 0;
  const match = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a Go duration (e.g. "1s", "500ms", "1m30s")`);
  if (match[1] === "-") throw new Error(`"${text}": a healthcheck duration cannot be negative`);
  let total = 0;
  for (const part of text.replace(/^[+-]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * UNIT_NS[part[2]];
  }
  return Math.round(total);
}
