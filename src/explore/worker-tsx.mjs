// Starts the explorer's TypeScript worker (worker.ts) under tsx, for when the explorer itself runs
// from the TypeScript sources (vitest, tsx) and there is no compiled worker.js next to it.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
