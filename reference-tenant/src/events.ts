/** In-process event bus feeding /ws subscribers (WORKSPACE_ONLINE, ACTIVITY_LOGGED, …). One per app. */
import { EventEmitter } from "node:events";

export interface TenantEvent {
  event: string;
  workspace_id: string | null;
  timestamp: string;
  payload: Record<string, unknown>;
}

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0); // one listener per open WebSocket
  }

  publish(event: string, workspaceId: string | null, payload: Record<string, unknown> = {}): void {
    const message: TenantEvent = {
      event,
      workspace_id: workspaceId,
      timestamp: new Date().toISOString(),
      payload,
    };
    this.emitter.emit("event", message);
  }

  subscribe(listener: (event: TenantEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }
}
