/**
 * Boot-order scenarios: replay Linux boot orders with pKVM and FF-A on the emulated machine and
 * report who believes what. Importing this module registers the real machine as the default backend.
 */
import './world-backend.js';

export { BUILTIN_SCENARIOS, type DirectReqPolicy, type ScenarioDef, type SpmcPolicy, builtinScenario, cloneScenario } from './builtin.js';
export { SCENARIO_FILE_SCHEMA, SCENARIO_FORMAT, ScenarioFileError, loadScenarioFile, parseScenarios } from './file.js';
export {
  type CallView, type Finding, type FindingKind, type HostView, type InitcallView, type NegotiationClosure, type PageStateView,
  type PkvmView, type RenderOptions, type ScenarioResult, type ScenarioSummary, type SpmcView, renderReport, renderScenario,
  renderTable,
} from './report.js';
export { type BackendFactory, type RunOptions, type ScenarioBackend, runScenario, runScenarios, setDefaultBackend } from './run.js';
export { worldBackend } from './world-backend.js';
export type { Placement, InitcallLevel, LinkDir } from '../firmware/host/initcalls.js';
export { INITCALL_LEVELS, INITCALL_PHASES, LINK_DIRS, linkOrder, validatePlacement } from '../firmware/host/initcalls.js';
export { DEFAULT_PLACEMENTS, INITCALL_IDS, type InitcallId } from '../firmware/host/kernel.js';
