/** Medians over bench runs (pure). */

export interface Stat {
  median: number | null;
  runs: (number | null)[];
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/** The median of the runs that measured it (a run that did not reach a phase is null and left out). */
export function stat(runs: (number | undefined | null)[]): Stat {
  const clean = runs.map((r) => (typeof r === "number" ? r : null));
  return { median: median(clean.filter((r): r is number => r !== null)), runs: clean };
}

/** a/b rounded to 3 decimals; null when either is missing or b is not positive. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (typeof a !== "number" || typeof b !== "number" || !(b > 0)) return null;
  return Math.round((a / b) * 1000) / 1000;
}

/**
 * Ratios of paired runs (run i of one over run i of the other, measured side by side), and their
 * median (not rounded to whole numbers: the mean of the middle two for an even count, 3 decimals).
 */
export function ratioStat(numerators: (number | null)[], denominators: (number | null)[]): Stat {
  const n = Math.max(numerators.length, denominators.length);
  const runs = Array.from({ length: n }, (_, i) => ratio(numerators[i], denominators[i]));
  const clean = runs.filter((r): r is number => r !== null).sort((a, b) => a - b);
  if (clean.length === 0) return { median: null, runs };
  const mid = Math.floor(clean.length / 2);
  const median = clean.length % 2 === 1 ? clean[mid] : (clean[mid - 1] + clean[mid]) / 2;
  return { median: Math.round(median * 1000) / 1000, runs };
}
