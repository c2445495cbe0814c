/**
 * One explorer run: a full runScenario on the real machine (through the pool's backend), checked
 * against the order it was meant to produce, classified, and reduced to what the report keeps.
 */
import type { Finding, NegotiationClosure, ScenarioResult, ScenarioSummary } from '../scenarios/report.js';
import { runScenario } from '../scenarios/run.js';
import type { BackendFactory } from '../scenarios/run.js';
import { type Classification, type Flag, type RunClass, classify } from './classify.js';
import { type RunSpec, STEPS, type StepId, scenarioOf } from './space.js';

/** What a run leaves behind (JSON-safe, small enough to send between threads). */
export interface RunOutcome {
  id: number;
  primary: RunClass;
  classes: RunClass[];
  flags: Flag[];
  summary: ScenarioSummary;
  closure: NegotiationClosure['how'] | null;
  findings: Finding[];
  hostCalls: number;
  cycles: number;
}

export function outcomeOf(id: number, r: ScenarioResult, c: Classification = classify(r)): RunOutcome {
  return {
    id,
    primary: c.primary,
    classes: c.classes,
    flags: c.flags,
    summary: r.summary,
    closure: r.negotiationClosure?.how ?? null,
    findings: r.findings,
    hostCalls: r.calls.length,
    cycles: r.cycles,
  };
}

/** The steps in the order the run actually ran them. */
export function ranOrder(r: ScenarioResult): StepId[] {
  return r.initcalls.map((i) => i.name).filter((n): n is StepId => (STEPS as readonly string[]).includes(n));
}

/** Run one spec; throws if the machine ran the steps in another order than the spec says. */
export function runSpec(spec: RunSpec, backend: BackendFactory): RunOutcome {
  const r = runScenario(scenarioOf(spec), { backend });
  const ran = ranOrder(r);
  if (ran.join(',') !== spec.order.join(',')) {
    throw new Error(`explore run ${spec.id} (${spec.key}): ran ${ran.join(' < ')}, expected ${spec.order.join(' < ')}`);
  }
  return outcomeOf(spec.id, r);
}
