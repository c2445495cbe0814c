/**
 * Classify one finished run from what the parties believe at the end and what failed.
 *
 * Classes, in precedence order (the first that applies is the run's primary class; every flag is kept):
 *
 * 1. isolation-broken: the SPMC holds host pages as endpoint 0's mailbox that pKVM considers ordinary
 *    host memory (host state OWNED), or host memory was shared/lent/donated to the secure side
 *    without passing pKVM.
 * 2. unprotected: pKVM never took over (not installed) or was never finalised: the host stage 2 is
 *    off and the privileged hypercalls stay open (finalize_pkvm returns early when it runs before
 *    kvm_arm_init). Not one of the brief's four classes; added because the runs show it.
 * 3. spec-violation: an FF-A ABI other than FFA_VERSION reached EL3 (the SPMD/SPMC) for endpoint 0
 *    before endpoint 0 negotiated: forwarded by pKVM before the host's FFA_VERSION (the permissive
 *    gate, DEN0077A v1.2 13.2.2), or sent by the host straight to EL3 before any FFA_VERSION.
 * 4. calls-fail: an FF-A user did not get what it needed: the driver did not come up, the TPM did not
 *    bind, a UEFI variable read failed, a call failed (e.g. INVALID_PARAMETERS from pKVM's gate), an
 *    initcall failed, or a device is still waiting for deferred probe.
 * 5. disagreement: none of the above, but the host, pKVM and the SPMC disagree (a report finding).
 * 6. agree: the parties are consistent and every FF-A user succeeded.
 *
 * Security first (1, 2), then the spec (3: such orders may work today and break on a stricter
 * SPMC), then function (4), then consistency (5).
 */
import { FFA_VERSION } from '../ffa/abi.js';
import type { ScenarioResult } from '../scenarios/report.js';

export const CLASSES = ['isolation-broken', 'unprotected', 'spec-violation', 'calls-fail', 'disagreement', 'agree'] as const;
export type RunClass = (typeof CLASSES)[number];

/** Every flag, the class it counts towards, and what it means. */
export const FLAGS = {
  'spmc-holds-host-pages': { cls: 'isolation-broken', text: "the SPMC's endpoint-0 mailbox is host memory pKVM considers ordinary (host OWNED)" },
  'memory-shared-past-pkvm': { cls: 'isolation-broken', text: 'a host MEM_SHARE/LEND/DONATE reached the secure side without pKVM' },
  'pkvm-absent': { cls: 'unprotected', text: 'pKVM is not installed at the end of boot' },
  'pkvm-not-finalised': { cls: 'unprotected', text: 'pKVM was never finalised (no host stage 2)' },
  'forwarded-before-negotiation': { cls: 'spec-violation', text: 'pKVM forwarded a non-VERSION FF-A call before the host negotiated' },
  'direct-before-negotiation': { cls: 'spec-violation', text: 'the host sent a non-VERSION FF-A call straight to EL3 before any FFA_VERSION' },
  'ffa-driver-failed': { cls: 'calls-fail', text: 'ffa_core_init failed' },
  'ffa-not-initialised': { cls: 'calls-fail', text: 'the FF-A driver never initialised (root probe still deferred)' },
  'tpm-absent': { cls: 'calls-fail', text: 'no TPM device was ever probed' },
  'tpm-failed': { cls: 'calls-fail', text: 'the TPM probe failed' },
  'uefi-failed': { cls: 'calls-fail', text: 'load_uefi_certs could not read a variable' },
  'call-failed': { cls: 'calls-fail', text: 'a host call failed' },
  'initcall-failed': { cls: 'calls-fail', text: 'an initcall returned an error' },
  'deferred-pending': { cls: 'calls-fail', text: 'a device is still waiting for deferred probe' },
  'disagreement': { cls: 'disagreement', text: 'the parties disagree (report finding)' },
} as const satisfies Record<string, { cls: RunClass; text: string }>;
export type Flag = keyof typeof FLAGS;
export const FLAG_NAMES = Object.keys(FLAGS) as Flag[];

export interface Classification {
  /** The first class in precedence order that applies. */
  primary: RunClass;
  /** Every class that applies (precedence order); ['agree'] when none does. */
  classes: RunClass[];
  flags: Flag[];
}

const w32 = (hex: string | undefined): number => Number(BigInt(hex ?? '0x0') & 0xffffffffn);
/** An FF-A function ID: fast, Standard owner (4), function number 0x60-0xFF (SMC32 or SMC64). */
export function isFfaFid(fid: number): boolean {
  return (fid & 0x80000000) !== 0 && ((fid >>> 24) & 0x3f) === 4 && (fid & 0xffff) >= 0x60 && (fid & 0xffff) <= 0xff && (fid & 0x00ff0000) === 0;
}
const MEM_XFER = new Set([0x71, 0x72, 0x73]); // DONATE, LEND, SHARE (either width)
const PKVM_INIT_HCALL_FID = 0xc6000001;

export function classify(r: ScenarioResult): Classification {
  const flags = new Set<Flag>();
  const { host, pkvm, spmc } = r.beliefs;

  // ---- isolation ----
  const mbox = spmc.endpoint0.mailbox;
  if (mbox !== null && pkvm.present) {
    const state = (pa: string): string | undefined => pkvm.pagesOfInterest.find((p) => p.pa === pa)?.host;
    if (state(mbox.tx) === 'OWNED' || state(mbox.rx) === 'OWNED') flags.add('spmc-holds-host-pages');
  }
  for (const c of r.calls) {
    const fid = w32(c.fid);
    if (!isFfaFid(fid) || !MEM_XFER.has(fid & 0xffff)) continue;
    if (!c.path.includes('EL2') && c.path.includes('EL3') && c.error === null && pkvm.present) flags.add('memory-shared-past-pkvm');
  }

  // ---- protection ----
  if (!pkvm.present) flags.add('pkvm-absent');
  else if (!pkvm.finalised) flags.add('pkvm-not-finalised');

  // ---- the spec: non-VERSION ABIs before endpoint 0 negotiated ----
  let hostNegotiatedWithPkvm = false;
  let versionReachedEl3 = false;
  for (const c of r.calls) {
    const fid = w32(c.fid);
    const viaEl2 = c.path.includes('EL2');
    const atEl3 = c.path.includes('EL3');
    if (fid === PKVM_INIT_HCALL_FID) { if (atEl3) versionReachedEl3 = true; continue; } // hyp_ffa_init's FFA_VERSION
    if (!isFfaFid(fid)) continue;
    if (fid === FFA_VERSION) {
      const ok = (w32(c.result[0]) | 0) !== -1;
      if (viaEl2 && ok) hostNegotiatedWithPkvm = true;
      if (atEl3) versionReachedEl3 = true;
      continue;
    }
    if (viaEl2 && atEl3 && !hostNegotiatedWithPkvm) flags.add('forwarded-before-negotiation');
    if (!viaEl2 && atEl3 && !versionReachedEl3) flags.add('direct-before-negotiation');
  }

  // ---- failures ----
  if (host.failure !== null) flags.add('ffa-driver-failed');
  else if (!host.initialised) flags.add('ffa-not-initialised');
  const k = host.kernel;
  if (k.tpm.device === null) flags.add('tpm-absent');
  else if (!k.tpm.bound) flags.add('tpm-failed');
  if (k.uefiCerts.failed.length > 0 || !k.uefiCerts.ran) flags.add('uefi-failed');
  if (r.calls.some((c) => (c.error !== null && c.name !== 'FFA_FEATURES') || c.exception !== null)) flags.add('call-failed');
  if (r.initcalls.some((i) => i.ret !== 0)) flags.add('initcall-failed');
  if (k.deferredPending.length > 0) flags.add('deferred-pending');
  if (r.findings.some((f) => f.kind === 'failure') && ![...flags].some((f) => FLAGS[f].cls === 'calls-fail')) flags.add('call-failed');

  // ---- consistency ----
  if (r.findings.some((f) => f.kind === 'disagreement')) flags.add('disagreement');

  const list = FLAG_NAMES.filter((f) => flags.has(f));
  const classes = CLASSES.filter((c) => c !== 'agree' && list.some((f) => FLAGS[f].cls === c));
  if (classes.length === 0) classes.push('agree');
  return { primary: classes[0]!, classes, flags: list };
}
