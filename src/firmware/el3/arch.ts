/**
 * Arm Architecture Service calls, OEN 0 (DEN0028 "Arm Architecture Calls"; reference
 * arch-and-cycles.md 7.3; behaviour of TF-A services/arm_arch_svc/arm_arch_svc_setup.c).
 */
import * as L from '../../state/layout.js';
import { SMCCC_ARCH_FEATURES, SMCCC_ARCH_SOC_ID, SMCCC_ARCH_WORKAROUND_1, SMCCC_ARCH_WORKAROUND_2,
  SMCCC_ARCH_WORKAROUND_3, SMCCC_VERSION } from '../../ffa/abi.js';
import { Exit, type RuntimeService, type SmcCall, ret1s, smcUnknown } from './services.js';

/** SMCCC v1.1 introduced SMCCC_VERSION and SMCCC_ARCH_FEATURES (DEN0028 7.2, 7.3). */
const SMCCC_1_1 = 0x10001;

export class ArchService implements RuntimeService {
  readonly name = 'arm-arch';
  /** @param smcccVersion what SMCCC_VERSION returns, (major << 16) | minor. */
  constructor(readonly smcccVersion: number) {}

  handle(call: SmcCall): Exit {
    const s = call.s;
    // An SMCCC v1.0 implementation has no Arm Architecture calls: every ID is unknown (DEN0028 7.2:
    // "SMCCC_VERSION ... NOT_SUPPORTED means v1.0").
    if (this.smcccVersion < SMCCC_1_1) return smcUnknown(s);
    switch (call.fid) {
      case SMCCC_VERSION:
        // DEN0028 7.2.1 SMCCC_VERSION: (major << 16) | minor, bit 31 zero.
        return ret1s(s, this.smcccVersion);
      case SMCCC_ARCH_FEATURES:
        // DEN0028 7.3.1: w1 = the queried function ID (an SMC32 call: the upper half is ignored).
        return ret1s(s, this.features(s[L.X + 2]! >>> 0));
      default:
        // SOC_ID and the workarounds are not implemented: the modelled PE has no speculation
        // to mitigate (DEN0028 7.4-7.6 let firmware omit them), so they are unknown calls.
        return smcUnknown(s);
    }
  }

  /** DEN0028 7.3.1 SMCCC_ARCH_FEATURES: 0 when implemented, NOT_SUPPORTED (-1) otherwise. */
  features(fid: number): number {
    switch (fid) {
      case SMCCC_VERSION:
      case SMCCC_ARCH_FEATURES:
        return 0;
      case SMCCC_ARCH_SOC_ID:
      case SMCCC_ARCH_WORKAROUND_1:
      case SMCCC_ARCH_WORKAROUND_2:
      case SMCCC_ARCH_WORKAROUND_3:
      default:
        return -1;
    }
  }
}
