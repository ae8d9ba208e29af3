/**
 * The entry point the Pulumi CLI runs (`pulumi up` in this directory, with the Node.js language
 * host): the program (program/index.ts) and its outputs, the CI contract (docs/pulumi.md).
 */
import { harnessProgram } from "./program/index";

const outputs = harnessProgram();

export const edgeUrl = outputs.edgeUrl;
export const legacyHost = outputs.legacyHost;
export const tenants = outputs.tenants;
export const cpStubUrl = outputs.cpStubUrl;
export const adminTokens = outputs.adminTokens;
export const seed = outputs.seed;
export const replays = outputs.replays;
export const replaysPassed = outputs.replaysPassed;
export const reports = outputs.reports;
export const suites = outputs.suites;
export const containers = outputs.containers;
export const engine = outputs.engine;
export const target = outputs.target;
