/**
 * The compact text timeline: one line per event, cycles first, then the move between tracks and what
 * caused it. Calls carry their id (#n) at the request and at the result, so they can be paired by eye.
 *
 *        1234  EL1 NS -> EL2     SMC #7 FFA_MSG_SEND_DIRECT_REQ_64 0x0000->0x8001
 *        2980  EL2 -> EL1 NS     ret #7 FFA_MSG_SEND_DIRECT_REQ_64 = FFA_MSG_SEND_DIRECT_RESP_64 0x8001->0x0000
 */
import { EC_NAMES } from '../exceptions/kinds.js';
import { trackName } from './calls.js';
import { decodeCall, describeResult, hex16 } from './ffa-decode.js';
import { EventKind, type TraceEvent } from './ring.js';

const KIND_NAMES = ['Sync', 'IRQ', 'FIQ', 'SError'];
const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** Render events (oldest first) as a text timeline (lines end with "\n"). */
export function textTimeline(events: readonly TraceEvent[], opts: { dropped?: number } = {}): string {
  const lines: string[] = [];
  if ((opts.dropped ?? 0) > 0) lines.push(`(${opts.dropped} older events dropped: the ring buffer wrapped)`);
  const calls = new Map<number, number>();   // call id -> fid
  for (const e of events) {
    const at = String(e.cycles).padStart(12);
    const move = (a: string, b: string): string => `${a} -> ${b}`.padEnd(18);
    switch (e.kind) {
      case EventKind.Start:
        lines.push(`${at}  ${trackName(e.toEl, e.toSecure).padEnd(18)}trace start PC=${hex(e.pc)}`); break;
      case EventKind.End:
        lines.push(`${at}  ${trackName(e.toEl, e.toSecure).padEnd(18)}trace end PC=${hex(e.pc)}`); break;
      case EventKind.WorldSwitch:
        lines.push(`${at}  ${'EL3'.padEnd(18)}world switch -> ${e.toSecure ? 'Secure' : 'Non-secure'}`); break;
      case EventKind.Entry: {
        const m = move(trackName(e.fromEl, e.fromSecure), trackName(e.toEl, e.toSecure));
        if (e.conduit !== null) {
          const d = decodeCall(Number(e.x[0] & 0xffffffffn), Number(e.x[1] & 0xffffffffn));
          calls.set(e.callId, d.fid);
          const sr = d.sender !== undefined ? ` ${hex16(d.sender)}->${hex16(d.receiver!)}` : '';
          lines.push(`${at}  ${m}${e.conduit.toUpperCase()} #${e.callId} ${d.name}${sr}`);
        } else {
          const kind = KIND_NAMES[(e.vectorOffset >>> 7) & 3]!;
          const what = kind === 'Sync' ? `${EC_NAMES[e.esr >>> 26] ?? 'exception'} ESR=0x${e.esr.toString(16).padStart(8, '0')}` : kind;
          lines.push(`${at}  ${m}${what} ELR=${hex(e.elr)}`);
        }
        break;
      }
      case EventKind.Return: {
        const m = move(trackName(e.fromEl, e.fromSecure), trackName(e.toEl, e.toSecure));
        const fid = e.callId > 0 ? calls.get(e.callId) : undefined;
        if (fid !== undefined) {
          calls.delete(e.callId);
          const d = decodeCall(fid, 0);
          const r = describeResult(fid, e.x[0], Number(e.x[1] & 0xffffffffn), Number(e.x[2] & 0xffffffffn));
          lines.push(`${at}  ${m}ret #${e.callId} ${d.name} = ${r}`);
        } else {
          lines.push(`${at}  ${m}${e.illegal ? 'illegal eret' : 'eret'} PC=${hex(e.pc)}`);
        }
        break;
      }
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}
