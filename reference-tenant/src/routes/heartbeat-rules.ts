/** Heartbeat body parsing and status transitions (docs/anchor.md#registry), pure so they are unit-tested. */
import { isPlainObject } from "../validate";

export interface Heartbeat {
  workspaceId: string;
  errorRate: number;
  sampleError: string | null;
  activeTasks: number;
  uptimeSeconds: number;
  currentTask: string | null;
  monthlySpend: number | null;
  runtimeState: string;
}

export const DEGRADE_AT_ERROR_RATE = 0.5;
export const RECOVER_BELOW_ERROR_RATE = 0.1;

/** Omitted fields take Go's zero values, as the anchor's struct binding does; wrong types are rejected. */
export function parseHeartbeat(body: unknown): Heartbeat | null {
  if (!isPlainObject(body)) return null;
  const { workspace_id: id } = body;
  if (typeof id !== "string" || id.trim() === "") return null;
  const num = (key: string, integer = false): number | null | undefined => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
      return null;
    return value;
  };
  const text = (key: string): string | null | undefined => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : null;
  };
  const errorRate = num("error_rate");
  const activeTasks = num("active_tasks", true);
  const uptime = num("uptime_seconds");
  const spend = num("monthly_spend");
  const sampleError = text("sample_error");
  const currentTask = text("current_task");
  const runtimeState = text("runtime_state");
  if ([errorRate, activeTasks, uptime, spend, sampleError, currentTask, runtimeState].includes(null))
    return null;
  return {
    workspaceId: id,
    errorRate: errorRate ?? 0,
    sampleError: sampleError || null,
    activeTasks: activeTasks ?? 0,
    uptimeSeconds: Math.floor(uptime ?? 0),
    currentTask: currentTask || null,
    monthlySpend: spend ?? null,
    runtimeState: runtimeState ?? "",
  };
}

/**
 * online → degraded at error_rate ≥ 0.5 or runtime_state `wedged`; degraded → online below 0.1 (not
 * wedged); offline and provisioning → online; every other status (failed, paused, …) is kept.
 */
export function nextHeartbeatStatus(
  current: string,
  beat: Pick<Heartbeat, "errorRate" | "runtimeState">,
): string {
  const wedged = beat.runtimeState === "wedged";
  switch (current) {
    case "online":
      return beat.errorRate >= DEGRADE_AT_ERROR_RATE || wedged ? "degraded" : "online";
    case "degraded":
      return beat.errorRate < RECOVER_BELOW_ERROR_RATE && !wedged ? "online" : "degraded";
    case "offline":
    case "provisioning":
      return "online";
    default:
      return current;
  }
}
