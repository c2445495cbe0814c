#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Unicorn driver for a64el's instruction differential test (docs/fidelity.md).

Run with the Debian system python (/usr/bin/python3, package python3-unicorn), not a pyenv one.
Unicorn is driven as an external program: nothing of it is linked into a64el.

Protocol: one JSON object per line on stdin, one JSON result per line on stdout, in order.
A case:
  {"id": 7, "code": "<hex bytes placed at CODE>", "until": "0x40000040", "count": 16,
   "x": ["0x..." * 31], "sp": "0x...", "nzcv": 0x60000000, "data": "<hex bytes placed at DATA>",
   "v": ["0x..." * 32]}                       # optional: V0-V31 (128-bit); zeros when absent
The code page and the data page are zero-filled before each case, then code/data are written.
The case runs from CODE until PC == until or `count` instructions, whichever comes first.
A result:
  {"id": 7, "x": [...31 hex], "sp": "0x...", "nzcv": n, "pc": "0x...", "v": [...32 hex],
   "mem": [[offset, "<hex of the changed bytes>"], ...],   # data page bytes that differ from the input
   "exc": null | {"kind": "intr", "intno": n} | {"kind": "error", "msg": "..."}}
An exception (Unicorn's hook_intr: UNDEFINED instruction, SVC, ...) stops the case at the faulting
instruction; an unmapped access or any other Unicorn error is reported as kind "error".

Usage: unicorn_driver.py [--code ADDR] [--data ADDR] [--cpu max]   (defaults 0x40000000, 0x40001000, cortex-a72)
       --cpu max selects Unicorn's "max" CPU (FEAT_LSE and the other Armv8.x features QEMU -cpu max has)
       unicorn_driver.py --probe    prints the CPU model and the reset PSTATE, then exits
"""
import json
import sys

from unicorn import UC_ARCH_ARM64, UC_HOOK_INTR, UC_MODE_ARM, Uc, UcError
from unicorn import arm64_const as A

PAGE = 0x1000
XREGS = [A.UC_ARM64_REG_X0 + i for i in range(29)] + [A.UC_ARM64_REG_X29, A.UC_ARM64_REG_X30]
QREGS = [getattr(A, 'UC_ARM64_REG_Q%d' % i) for i in range(32)]
ZERO_PAGE = bytes(PAGE)


def arg(name, default):
    if name in sys.argv:
        return int(sys.argv[sys.argv.index(name) + 1], 0)
    return default


def changed_runs(before, after):
    """[[offset, hex]] for each run of bytes where `after` differs from `before`."""
    after = bytes(after)
    if after == before:
        return []
    runs = []
    n = len(after)
    i = 0
    while i < n:
        # Skip equal 64-byte chunks quickly, then walk bytes.
        if (i & 63) == 0 and after[i:i + 64] == before[i:i + 64]:
            i += 64
            continue
        if before[i] != after[i]:
            j = i
            while j < n and before[j] != after[j]:
                j += 1
            runs.append([i, after[i:j].hex()])
            i = j
        else:
            i += 1
    return runs


def main():
    code_base = arg('--code', 0x40000000)
    data_base = arg('--data', 0x40001000)
    uc = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
    if '--cpu' in sys.argv and sys.argv[sys.argv.index('--cpu') + 1] == 'max':
        uc.ctl_set_cpu_model(A.UC_CPU_ARM64_MAX)
    if '--probe' in sys.argv:
        print(json.dumps({'cpu_model': uc.ctl_get_cpu_model(),
                          'pstate': hex(uc.reg_read(A.UC_ARM64_REG_PSTATE))}))
        return
    uc.mem_map(code_base, PAGE)
    uc.mem_map(data_base, PAGE)
    state = {'exc': None}

    def on_intr(u, intno, _user):
        state['exc'] = {'kind': 'intr', 'intno': intno}
        u.emu_stop()

    uc.hook_add(UC_HOOK_INTR, on_intr)
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        case = json.loads(line)
        code = bytes.fromhex(case['code'])
        data = bytes.fromhex(case['data'])
        page = data + ZERO_PAGE[len(data):]
        uc.mem_write(code_base, code + ZERO_PAGE[len(code):])
        uc.mem_write(data_base, page)
        # Code changes from case to case at the same addresses: drop translated blocks.
        uc.ctl_remove_cache(code_base, code_base + PAGE)
        for r, v in zip(XREGS, case['x']):
            uc.reg_write(r, int(v, 16))
        uc.reg_write(A.UC_ARM64_REG_SP, int(case['sp'], 16))
        uc.reg_write(A.UC_ARM64_REG_NZCV, case['nzcv'])
        vin = case.get('v')
        for i, r in enumerate(QREGS):
            uc.reg_write(r, int(vin[i], 16) if vin is not None else 0)
        state['exc'] = None
        try:
            uc.emu_start(code_base, int(case['until'], 16), 0, case['count'])
        except UcError as e:
            state['exc'] = {'kind': 'error', 'msg': str(e)}
        after = uc.mem_read(data_base, PAGE)
        res = {
            'id': case['id'],
            'x': [hex(uc.reg_read(r)) for r in XREGS],
            'sp': hex(uc.reg_read(A.UC_ARM64_REG_SP)),
            'nzcv': uc.reg_read(A.UC_ARM64_REG_NZCV) & 0xf0000000,
            'pc': hex(uc.reg_read(A.UC_ARM64_REG_PC)),
            'v': [hex(uc.reg_read(r)) for r in QREGS],
            'mem': changed_runs(page, after),
            'exc': state['exc'],
        }
        out.write(json.dumps(res, separators=(',', ':')))
        out.write('\n')
    out.flush()


if __name__ == '__main__':
    main()
