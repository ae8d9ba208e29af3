/** The cf-proxy edge's public API, for the Pulumi component and the replays. */
export { renderNginxConf, servedHosts, UNKNOWN_HOST_STATUS } from "./render";
export {
  EDGE_DEFAULTS,
  edgeOptionProblems,
  resolveEdgeOptions,
  type EdgeOptions,
  type EdgeTenant,
  type ResolvedEdgeOptions,
} from "./options";
export { EDGE_CONFIG_PATH, EDGE_CONTAINER_PORT, EDGE_HEALTHCHECK, edgeHealthcheckTest } from "./image";
export { CF_RAY_COLO, STRIPPED_CF_REQUEST_HEADERS, edgeSetHeaders } from "./cf-headers";
