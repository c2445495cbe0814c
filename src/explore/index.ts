/**
 * The boot-order explorer: every placement of the steps that matter, run on the real machine under
 * every policy, classified, with the smallest rules that separate the classes (docs/explore.md).
 */
export { CLASSES, type Classification, FLAGS, FLAG_NAMES, type Flag, type RunClass, classify } from './classify.js';
export { type ExploreOptions, type ExploreResult, type ExploreRun, type NamedPlacement, execute, explore, placeNamed } from './explore.js';
export { type PoolStats, WorldPool } from './pool.js';
export { renderExplore } from './report.js';
export { type DeriveOptions, type Predicate, type Rule, type RulePoint, deriveRule, evalRule, explain, rulePredicates, vocabulary } from './rules.js';
export { type RunOutcome, outcomeOf, ranOrder, runSpec } from './runner.js';
export {
  ALL_POLICIES, DEFAULT_DOMAINS, type Domains, type OrderPoint, type PolicyPoint, type RunSpec, STEPS, STEP_LETTER, type Space,
  type StepId, type Variant, VARIANTS, enumerateSpace, orderKey, orderOfScenario, runSpecs, scenarioOf, variantOfScenario,
} from './space.js';
