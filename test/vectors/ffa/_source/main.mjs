import { writeAll, all } from './lib.mjs';
import './version.mjs'; import './features.mjs'; import './id-rxtx.mjs'; import './pinfo-direct.mjs'; import './memory.mjs'; import './misc.mjs'; import './pkvm.mjs';
const n = writeAll();
const by = {}; for (const v of all) by[v.area] = (by[v.area] ?? 0) + 1;
console.log(n, by);
