import { describe, expect, it } from 'vitest';
import * as abi from '../../src/ffa/abi.js';
import {
  FFA_FUNCTIONS,
  FFA_MSG_SEND_DIRECT_REQ2,
  FFA_PARTITION_INFO_GET_REGS,
  FFA_RXTX_MAP,
  FFA_RXTX_MAP_64,
  FFA_VERSION,
  ffaFunctionId,
  ffaFunctionInfo,
  ffaFunctionMinVersion,
  ffaFunctionName,
  ffaPartitionPropertiesMask,
  ffaReceiver,
  ffaSender,
  ffaSenderReceiver,
  ffaStatusName,
  ffaStatusValue,
  ffaVersion,
  ffaVersionsCompatible,
  ffaVersionString,
  isFfaFunction,
  parseFfaVersion,
  smcccFunctionName,
  smcccValue,
  smcFunctionName,
  versionMajor,
  versionMinor,
} from '../../src/ffa/abi.js';

describe('FF-A function IDs', () => {
  it('match the reference table (ffa-abi.md §2)', () => {
    expect(FFA_VERSION).toBe(0x84000063);
    expect(abi.FFA_ERROR).toBe(0x84000060);
    expect(abi.FFA_SUCCESS_64).toBe(0xc4000061);
    expect(FFA_RXTX_MAP).toBe(0x84000066);
    expect(FFA_RXTX_MAP_64).toBe(0xc4000066);
    expect(abi.FFA_MSG_SEND_DIRECT_REQ_64).toBe(0xc400006f);
    expect(abi.FFA_MSG_SEND_DIRECT_RESP).toBe(0x84000070);
    expect(abi.FFA_MEM_SHARE_64).toBe(0xc4000073);
    expect(abi.FFA_MEM_FRAG_TX).toBe(0x8400007b);
    expect(abi.FFA_NOTIFICATION_INFO_GET_64).toBe(0xc4000083);
    expect(abi.FFA_RX_ACQUIRE).toBe(0x84000084);
    expect(abi.FFA_SPM_ID_GET).toBe(0x84000085);
    expect(abi.FFA_MSG_SEND2).toBe(0x84000086);
    expect(abi.FFA_MEM_PERM_SET_64).toBe(0xc4000089);
    expect(abi.FFA_CONSOLE_LOG_64).toBe(0xc400008a);
    expect(FFA_PARTITION_INFO_GET_REGS).toBe(0xc400008b);
    expect(abi.FFA_EL3_INTR_HANDLE).toBe(0x8400008c);
    expect(FFA_MSG_SEND_DIRECT_REQ2).toBe(0xc400008d);
    expect(abi.FFA_MSG_SEND_DIRECT_RESP2).toBe(0xc400008e);
  });

  it('table rows are consistent: SMC64 = SMC32 | bit 30, numbers in range, unique', () => {
    const fns = new Set<number>();
    for (const f of FFA_FUNCTIONS) {
      expect(fns.has(f.fn)).toBe(false);
      fns.add(f.fn);
      expect(f.fn).toBeGreaterThanOrEqual(0x60);
      expect(f.fn).toBeLessThanOrEqual(0xff);
      if (f.smc32 !== undefined) expect(f.smc32).toBe((0x84000000 | f.fn) >>> 0);
      if (f.smc64 !== undefined) expect(f.smc64).toBe((0xc4000000 | f.fn) >>> 0);
      expect(f.smc32 ?? f.smc64).toBeDefined();
    }
  });

  it('every exported FFA_* function constant has a name that maps back to it', () => {
    let n = 0;
    for (const [key, value] of Object.entries(abi)) {
      if (typeof value !== 'number' || !/^FFA_[A-Z0-9_]+$/.test(key)) continue;
      if (!isFfaFunction(value)) continue; // skips status codes, bases, masks, version words
      expect(ffaFunctionId(key), key).toBe(value);
      const name = ffaFunctionName(value)!;
      expect(ffaFunctionId(name), key).toBe(value);
      n++;
    }
    expect(n).toBeGreaterThan(70);
  });

  it('names both ways, as vector-format.md defines them', () => {
    expect(ffaFunctionId('FFA_RXTX_MAP')).toBe(0x84000066);
    expect(ffaFunctionId('FFA_RXTX_MAP_64')).toBe(0xc4000066);
    expect(ffaFunctionId('FFA_RXTX_MAP_32')).toBe(0x84000066);
    expect(ffaFunctionName(0x84000066)).toBe('FFA_RXTX_MAP');
    expect(ffaFunctionName(0xc4000066)).toBe('FFA_RXTX_MAP_64');
    // SMC64-only functions: with or without _64
    expect(ffaFunctionId('FFA_MSG_SEND_DIRECT_REQ2')).toBe(0xc400008d);
    expect(ffaFunctionId('FFA_MSG_SEND_DIRECT_REQ2_64')).toBe(0xc400008d);
    expect(ffaFunctionId('FFA_PARTITION_INFO_GET_REGS')).toBe(0xc400008b);
    expect(ffaFunctionId('FFA_PARTITION_INFO_GET_REGS_64')).toBe(0xc400008b);
    expect(ffaFunctionName(0xc400008d)).toBe('FFA_MSG_SEND_DIRECT_REQ2');
    // SMC32-only functions have no _64 name
    expect(ffaFunctionId('FFA_VERSION_64')).toBeUndefined();
    expect(ffaFunctionId('FFA_MSG_SEND_DIRECT_REQ2_32')).toBeUndefined();
    expect(ffaFunctionId('FFA_NOPE')).toBeUndefined();
    expect(ffaFunctionName(0x840000ff)).toBeUndefined();
    // exact match: the SVE hint is the caller's business
    expect(ffaFunctionName(FFA_VERSION | abi.SMCCC_SVE_HINT)).toBeUndefined();
    expect(ffaFunctionName(abi.smcccStripSveHint(FFA_VERSION | abi.SMCCC_SVE_HINT))).toBe('FFA_VERSION');
  });

  it('knows which version introduced each ID', () => {
    expect(ffaFunctionMinVersion(FFA_VERSION)).toBe(0x10000);
    expect(ffaFunctionMinVersion(abi.FFA_SPM_ID_GET)).toBe(0x10001);
    expect(ffaFunctionMinVersion(FFA_MSG_SEND_DIRECT_REQ2)).toBe(0x10002);
    expect(ffaFunctionMinVersion(abi.FFA_ERROR)).toBe(0x10000);
    expect(ffaFunctionMinVersion(abi.FFA_ERROR_64)).toBe(0x10003);
    expect(ffaFunctionInfo(FFA_RXTX_MAP_64)?.base).toBe('FFA_RXTX_MAP');
    expect(ffaFunctionMinVersion(0x84000099)).toBeUndefined();
  });

  it('isFfaFunction: fast, OEN 4, 0x60..0xFF, either width', () => {
    expect(isFfaFunction(0x84000060)).toBe(true);
    expect(isFfaFunction(0xc40000ff)).toBe(true);
    expect(isFfaFunction(0x8400005f)).toBe(false); // TRNG range
    expect(isFfaFunction(0x84000100)).toBe(false);
    expect(isFfaFunction(0x84000000)).toBe(false); // PSCI_VERSION
    expect(isFfaFunction(0x04000063)).toBe(false); // yielding call
    expect(isFfaFunction(0x85000063)).toBe(false); // OEN 5
    expect(abi.isPsciFunction(abi.PSCI_VERSION)).toBe(true);
    expect(abi.isPsciFunction(FFA_VERSION)).toBe(false);
  });

  it('SMCCC field helpers', () => {
    expect(abi.smcccOwner(0xc400006f)).toBe(4);
    expect(abi.smcccFunctionNumber(0xc400006f)).toBe(0x6f);
    expect(abi.smcccIsSmc64(0xc400006f)).toBe(true);
    expect(abi.smcccIsSmc64(0x8400006f)).toBe(false);
    expect(abi.smcccIsFastCall(0x8400006f)).toBe(true);
    expect(abi.smcccFastCallIdValid(0x84000063)).toBe(true);
    expect(abi.smcccFastCallIdValid(0x84020063)).toBe(false);
    expect(abi.smcccFastCallIdValid(0x84010063)).toBe(true); // SVE hint is not MBZ
  });
});

describe('status codes', () => {
  it('values (ffa-abi.md §3)', () => {
    expect([
      abi.FFA_RET_NOT_SUPPORTED,
      abi.FFA_RET_INVALID_PARAMETERS,
      abi.FFA_RET_NO_MEMORY,
      abi.FFA_RET_BUSY,
      abi.FFA_RET_INTERRUPTED,
      abi.FFA_RET_DENIED,
      abi.FFA_RET_RETRY,
      abi.FFA_RET_ABORTED,
      abi.FFA_RET_NO_DATA,
      abi.FFA_RET_NOT_READY,
    ]).toEqual([-1, -2, -3, -4, -5, -6, -7, -8, -9, -10]);
  });
  it('names both ways, from any register image', () => {
    expect(ffaStatusValue('INVALID_PARAMETERS')).toBe(-2);
    expect(ffaStatusValue('NOT_READY')).toBe(-10);
    expect(ffaStatusValue('FFA_RET_DENIED')).toBeUndefined();
    expect(ffaStatusName(-6)).toBe('DENIED');
    expect(ffaStatusName(0xfffffffe)).toBe('INVALID_PARAMETERS');
    expect(ffaStatusName(0xfffffffffffffff9n)).toBe('RETRY');
    expect(ffaStatusName(0x00000000fffffff8n)).toBe('ABORTED');
    expect(ffaStatusName(0)).toBeUndefined();
    expect(ffaStatusName(-11)).toBeUndefined();
  });
});

describe('SMCCC and PSCI names', () => {
  it('resolve', () => {
    expect(smcccValue('SMCCC_VERSION')).toBe(0x80000000);
    expect(smcccValue('SMCCC_ARCH_FEATURES')).toBe(0x80000001);
    expect(smcccValue('PSCI_VERSION')).toBe(0x84000000);
    expect(smcccValue('SMCCC_NOT_SUPPORTED')).toBe(-1);
    expect(smcccValue('PSCI_CPU_ON_64')).toBe(0xc4000003);
    expect(smcccValue('PSCI_SYSTEM_RESET2')).toBe(0x84000012);
    expect(smcccFunctionName(0x8400000a)).toBe('PSCI_FEATURES');
    expect(smcFunctionName(0x84000063)).toBe('FFA_VERSION');
    expect(smcFunctionName(0x80000000)).toBe('SMCCC_VERSION');
    expect(smcFunctionName(0x12345678)).toBeUndefined();
  });
});

describe('register fields', () => {
  it('sender/receiver and target info', () => {
    expect(ffaSender(0x80010000)).toBe(0x8001);
    expect(ffaReceiver(0x80010000)).toBe(0);
    expect(ffaSenderReceiver(0x8001, 0x0000)).toBe(0x80010000);
    expect(ffaSenderReceiver(0, 0x8001)).toBe(0x00008001);
    expect(abi.ffaTargetInfo(0x8002, 3)).toBe(0x80020003);
    expect(abi.ffaTargetEndpoint(0x80020003)).toBe(0x8002);
    expect(abi.ffaTargetVcpu(0x80020003)).toBe(3);
  });
  it('handles', () => {
    expect(abi.ffaHandle(0x90abcdef, 0x12345678)).toBe(0x1234567890abcdefn);
    expect(abi.ffaHandleLo(0x1234567890abcdefn)).toBe(0x90abcdef);
    expect(abi.ffaHandleHi(0x1234567890abcdefn)).toBe(0x12345678);
  });
  it('endpoint IDs', () => {
    expect(abi.ffaIsSecureId(0x8001)).toBe(true);
    expect(abi.ffaIsSecureId(0x0001)).toBe(false);
    expect(abi.ffaIsNormalWorldId(0)).toBe(true);
  });
});

describe('versions', () => {
  it('encode and decode', () => {
    expect(ffaVersion(1, 2)).toBe(0x10002);
    expect(versionMajor(0x10002)).toBe(1);
    expect(versionMinor(0x10002)).toBe(2);
    expect(versionMajor(0x80010002)).toBe(1); // bit 31 is not part of the major
    expect(ffaVersionString(0x10001)).toBe('1.1');
    expect(parseFfaVersion('1.2')).toBe(0x10002);
    expect(parseFfaVersion('1.x')).toBeUndefined();
    expect(parseFfaVersion('40000.0')).toBeUndefined();
    expect(() => ffaVersion(0x8000, 0)).toThrow(RangeError);
  });
  it('compatibility: same major, callee minor >= caller minor, bit 31 MBZ', () => {
    expect(ffaVersionsCompatible(0x10000, 0x10002)).toBe(true);
    expect(ffaVersionsCompatible(0x10002, 0x10002)).toBe(true);
    expect(ffaVersionsCompatible(0x10003, 0x10002)).toBe(false);
    expect(ffaVersionsCompatible(0x20000, 0x10002)).toBe(false);
    expect(ffaVersionsCompatible(0x00009, 0x10002)).toBe(false);
    expect(ffaVersionsCompatible(0x80010000, 0x10002)).toBe(false);
    expect(ffaVersionsCompatible(0x10000, 0x80010002)).toBe(false);
  });
  it('partition properties masks per version', () => {
    expect(ffaPartitionPropertiesMask(0x10000)).toBe(0x7);
    expect(ffaPartitionPropertiesMask(0x10001)).toBe(0x1ff);
    expect(ffaPartitionPropertiesMask(0x10002)).toBe(0x7ff);
    expect(abi.FFA_PARTITION_AARCH64_EXEC).toBe(0x100);
    expect(abi.FFA_PARTITION_DIRECT_REQ2_RECV).toBe(0x200);
  });
});
