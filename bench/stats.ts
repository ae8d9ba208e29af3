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
