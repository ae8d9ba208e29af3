/**
 * The goals of issue 10, next to the numbers they judge (pure). Each goal names the JSON key its
 * value comes from (a median), its bound, and whether the value meets it (`null`: not measured).
 */

export interface GoalSpec {
  /** What the issue asks, in words. */
  goal: string;
  /** Where the value is in the bench's JSON. */
  key: string;
  /** The value must be at most this. */
  max: number;
  unit: "ms" | "ratio";
}

export const GOALS = {
  bootToHealthyMs: {
    goal: "boot to all healthy ≤ 5 s",
    key: "e2e.bootToHealthyMs.median",
    max: 5000,
    unit: "ms",
  },
  bootVsBaselineBoot: {
    goal: "boot ≤ 0.3× the anchor-semantics baseline's boot",
    key: "ratios.bootVsBaselineBoot.median",
    max: 0.3,
    unit: "ratio",
  },
  upVsBaselineBoot: {
    goal: "the whole up (boot + seed + suite) ≤ 1.0× the baseline's boot alone",
    key: "ratios.upVsBaselineBoot.median",
    max: 1.0,
    unit: "ratio",
  },
  runnerOverheadTsVsSh: {
    goal: "runner overhead per TypeScript replay ≤ 2× that of an empty bash replay",
    key: "ratios.runnerOverheadTsVsSh.median",
    max: 2,
    unit: "ratio",
  },
  teardownMs: { goal: "destroy ≤ 2 s", key: "e2e.teardownMs.median", max: 2000, unit: "ms" },
  unchangedUpMs: {
    goal: "an unchanged second up ≤ 5 s",
    key: "e2e.unchangedUpMs.median",
    max: 5000,
    unit: "ms",
  },
} as const satisfies Record<string, GoalSpec>;

export type GoalName = keyof typeof GOALS;

export interface GoalResult extends GoalSpec {
  value: number | null;
  met: boolean | null;
}

export function judgeGoals(values: Record<GoalName, number | null>): {
  goals: Record<GoalName, GoalResult>;
  /** Every goal met; null when one is not measured (and none missed). */
  met: boolean | null;
} {
  const goals = Object.fromEntries(
    (Object.keys(GOALS) as GoalName[]).map((name) => {
      const value = values[name];
      return [name, { ...GOALS[name], value, met: value === null ? null : value <= GOALS[name].max }];
    }),
  ) as Record<GoalName, GoalResult>;
  const all = Object.values(goals).map((g) => g.met);
  const met = all.includes(false) ? false : all.includes(null) ? null : true;
  return { goals, met };
}

/** One line per goal for stderr. */
export function formatGoals(goals: Record<GoalName, GoalResult>): string[] {
  const show = (g: GoalResult, v: number | null) =>
    v === null ? "not measured" : g.unit === "ms" ? `${v.toLocaleString("en-US")} ms` : `${v}×`;
  return (Object.keys(goals) as GoalName[]).map((name) => {
    const g = goals[name];
    const verdict = g.met === null ? "—" : g.met ? "met" : "MISSED";
    return `goal ${verdict.padEnd(6)} ${g.goal}: ${show(g, g.value)} (max ${show(g, g.max)})`;
  });
}
