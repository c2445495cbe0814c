/**
 * pKVM's view of who owns each page of non-secure DRAM: the host stage-2 page states and the
 * hypervisor's own page states (Linux arch/arm64/kvm/hyp/nvhe/mem_protect.c, `enum pkvm_page_state`
 * in nvhe/mem_protect.h). The host runs identity-mapped at stage 2; pKVM tracks, per 4 KiB page, a
 * state for the host and one for the hyp, and only changes them through the transitions Linux has:
 *
 *   host_donate_hyp   host OWNED -> NOPAGE,            hyp NOPAGE -> OWNED   (hyp carve-out at init)
 *   host_share_hyp    host OWNED -> SHARED_OWNED,      hyp NOPAGE -> SHARED_BORROWED (FF-A RX/TX)
 *   host_unshare_hyp  the reverse, refused while pinned (EBUSY)
 *   host_share_ffa    host OWNED -> SHARED_OWNED       (memory given to the secure world)
 *   host_unshare_ffa  host SHARED_OWNED -> OWNED
 *
 * Errors are Linux errno values, negated (-EPERM when a page is in the wrong state, -EINVAL when
 * the range is not memory, -EBUSY when pinned), because pKVM's FF-A proxy maps them onto FF-A
 * statuses itself. Nothing here knows about FF-A.
 *
 * Host access check (`hostAccessFault`): once pKVM has finalised, a host access to a page whose host
 * state is NOPAGE (hyp-owned: its host stage-2 entry is an invalid, owner-annotated PTE) takes a
 * stage-2 Translation fault, level 3. Host-owned pages are treated as always mapped: Linux maps them
 * lazily on the first fault (host_stage2_idmap), which this model does not reproduce, so those
 * (recoverable) faults never happen here.
 */

/** pKVM page states (Linux nvhe/mem_protect.h `enum pkvm_page_state`, bit values as there). */
export const enum PageState {
  Owned = 0,
  SharedOwned = 1,
  SharedBorrowed = 2,
  NoPage = 4,
}

export const PAGE_STATE_NAMES: Readonly<Record<number, string>> = {
  [PageState.Owned]: 'OWNED', [PageState.SharedOwned]: 'SHARED_OWNED',
  [PageState.SharedBorrowed]: 'SHARED_BORROWED', [PageState.NoPage]: 'NOPAGE',
};

/** Linux errno values the transitions return (negated). */
export const EPERM = 1, ENOMEM = 12, EBUSY = 16, EINVAL = 22, EOPNOTSUPP = 95;

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** DFSC for a Translation fault at level 3 (Arm ARM D24.2.45, DFSC 0b000111). */
export const FSC_TRANSLATION_L3 = 0x07;

export class HostStage2 {
  /** First byte of tracked memory (NS DRAM base) and its size in bytes. */
  readonly base: number;
  readonly size: number;
  readonly pages: number;
  /** Host page state per page (PageState). */
  readonly host: Uint8Array;
  /** Hyp page state per page (PageState). */
  readonly hyp: Uint8Array;
  /** hyp_pin_shared_mem reference counts. */
  readonly pins: Uint16Array;

  constructor(base: number, size: number) {
    if (base % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || size <= 0) {
      throw new RangeError(`stage 2: memory must be page aligned (base 0x${base.toString(16)}, size 0x${size.toString(16)})`);
    }
    this.base = base;
    this.size = size;
    this.pages = size / PAGE_SIZE;
    this.host = new Uint8Array(this.pages);          // all host OWNED (kvm_host_prepare_stage2 + fix_host_ownership)
    this.hyp = new Uint8Array(this.pages).fill(PageState.NoPage);
    this.pins = new Uint16Array(this.pages);
  }

  /** Page index of a physical address (a JS number, exact below 2^53), or -1 if not tracked memory. */
  index(pa: number): number {
    const off = pa - this.base;
    if (!(off >= 0 && off < this.size)) return -1;
    return Math.floor(off / PAGE_SIZE);
  }

  /** Linux check_range_allowed_memory: [pa, pa + bytes) lies wholly in memory. */
  rangeIsMemory(pa: number, bytes: number): boolean {
    if (bytes === 0) return this.index(pa) >= 0;
    return this.index(pa) >= 0 && this.index(pa + bytes - 1) >= 0;
  }

  private checkHost(first: number, n: number, want: PageState): number {
    for (let i = first; i < first + n; i++) if (this.host[i] !== want) return -EPERM;
    return 0;
  }
  private checkHyp(first: number, n: number, want: PageState): number {
    for (let i = first; i < first + n; i++) if (this.hyp[i] !== want) return -EPERM;
    return 0;
  }

  /** __pkvm_host_donate_hyp: host OWNED -> NOPAGE, hyp NOPAGE -> OWNED, for `n` pages at `pa`. */
  hostDonateHyp(pa: number, n: number): number {
    if (pa % PAGE_SIZE !== 0 || !this.rangeIsMemory(pa, n * PAGE_SIZE)) return -EINVAL;
    const i = this.index(pa);
    const r = this.checkHost(i, n, PageState.Owned) || this.checkHyp(i, n, PageState.NoPage);
    if (r !== 0) return r;
    this.host.fill(PageState.NoPage, i, i + n);
    this.hyp.fill(PageState.Owned, i, i + n);
    return 0;
  }

  /** __pkvm_host_share_hyp(pfn): one page; host OWNED -> SHARED_OWNED, hyp NOPAGE -> SHARED_BORROWED. */
  hostShareHyp(pa: number): number {
    if (!this.rangeIsMemory(pa, PAGE_SIZE)) return -EINVAL;
    const i = this.index(pa);
    const r = this.checkHost(i, 1, PageState.Owned) || this.checkHyp(i, 1, PageState.NoPage);
    if (r !== 0) return r;
    this.hyp[i] = PageState.SharedBorrowed;
    this.host[i] = PageState.SharedOwned;
    return 0;
  }

  /** __pkvm_host_unshare_hyp(pfn): the reverse; -EBUSY while the hyp holds a pin on it. */
  hostUnshareHyp(pa: number): number {
    if (!this.rangeIsMemory(pa, PAGE_SIZE)) return -EINVAL;
    const i = this.index(pa);
    const r = this.checkHost(i, 1, PageState.SharedOwned) || this.checkHyp(i, 1, PageState.SharedBorrowed);
    if (r !== 0) return r;
    if (this.pins[i] !== 0) return -EBUSY;
    this.hyp[i] = PageState.NoPage;
    this.host[i] = PageState.Owned;
    return 0;
  }

  /** hyp_pin_shared_mem on one page: host SHARED_OWNED and hyp SHARED_BORROWED, refcount++. */
  pin(pa: number): number {
    if (!this.rangeIsMemory(pa, PAGE_SIZE)) return -EINVAL;
    const i = this.index(pa);
    const r = this.checkHost(i, 1, PageState.SharedOwned) || this.checkHyp(i, 1, PageState.SharedBorrowed);
    if (r !== 0) return r;
    this.pins[i] = this.pins[i]! + 1;
    return 0;
  }

  /** hyp_unpin_shared_mem on one page (refcount--; no state check, as Linux). */
  unpin(pa: number): void {
    const i = this.index(pa);
    if (i >= 0 && this.pins[i]! > 0) this.pins[i] = this.pins[i]! - 1;
  }

  /** __pkvm_host_share_ffa(pfn, n): every page host OWNED -> SHARED_OWNED (hyp state untouched). */
  hostShareFfa(pa: number, n: number): number {
    if (!this.rangeIsMemory(pa, n * PAGE_SIZE)) return -EINVAL;
    const i = this.index(pa);
    const r = this.checkHost(i, n, PageState.Owned);
    if (r !== 0) return r;
    this.host.fill(PageState.SharedOwned, i, i + n);
    return 0;
  }

  /** __pkvm_host_unshare_ffa(pfn, n): every page host SHARED_OWNED -> OWNED. */
  hostUnshareFfa(pa: number, n: number): number {
    if (!this.rangeIsMemory(pa, n * PAGE_SIZE)) return -EINVAL;
    const i = this.index(pa);
    const r = this.checkHost(i, n, PageState.SharedOwned);
    if (r !== 0) return r;
    this.host.fill(PageState.Owned, i, i + n);
    return 0;
  }

  hostState(pa: number): PageState | undefined {
    const i = this.index(pa);
    return i < 0 ? undefined : this.host[i] as PageState;
  }
  hypState(pa: number): PageState | undefined {
    const i = this.index(pa);
    return i < 0 ? undefined : this.hyp[i] as PageState;
  }
  pinCount(pa: number): number {
    const i = this.index(pa);
    return i < 0 ? 0 : this.pins[i]!;
  }

  /**
   * The DFSC of the stage-2 fault a host access to `pa` (uint32, inside tracked memory) takes, or -1
   * if the host may access it: pages the host does not own or share (NOPAGE) are unmapped at stage 2.
   * Allocation-free (runs on every non-secure DRAM access once installed).
   */
  hostAccessFault(pa: number): number {
    const off = pa - this.base;
    if (off < 0 || off >= this.size) return -1;
    return this.host[off >>> PAGE_SHIFT] === PageState.NoPage ? FSC_TRANSLATION_L3 : -1;
  }

  /** Physical addresses of the pages whose host state is `state`. */
  pagesInHostState(state: PageState): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.pages; i++) if (this.host[i] === state) out.push(this.base + i * PAGE_SIZE);
    return out;
  }
}
