/**
 * A model of the Linux driver core (drivers/base): buses, devices, drivers, matching, probing, and
 * deferred probing. Behaviour only, reduced to what the boot orders need:
 *
 * - Registering a device tries every driver of its bus (bus_probe_device); registering a driver
 *   tries every unbound device of its bus (driver_attach). A match runs the driver's probe.
 * - A probe returning -EPROBE_DEFER puts the device on the deferred-pending list.
 * - driver_deferred_probe_trigger() moves the pending list to the active list and "queues" the
 *   deferred-probe work, but only once deferred probing is enabled; before that it does nothing.
 *   A successful bind triggers (driver_bound), so a device that defers on another one is retried.
 * - The work (modelled as running when it is flushed) re-probes every active device, in order.
 * - deferred_probe_initcall (late_initcall in drivers/base/dd.c): enable deferred probing, trigger,
 *   flush the work; trigger and flush a second time (reference pkvm-ffa.md 7(d) step 4). The
 *   deferred-probe timeout work it also schedules is not modelled.
 * - Device links (DL_FLAG_AUTOPROBE_CONSUMER) are not modelled: in the RFC the consumers are created
 *   by the supplier's own probe, so the link changes no ordering here.
 */

/** Linux errno values the model uses (include/uapi/asm-generic/errno*.h, include/linux/errno.h). */
export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const ENXIO = 6;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EBUSY = 16;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENODATA = 61;
export const EOPNOTSUPP = 95;
export const ECANCELED = 125;
export const EPROBE_DEFER = 517;

const ERRNO_NAMES: Readonly<Record<number, string>> = {
  [EPERM]: 'EPERM', [ENOENT]: 'ENOENT', [EINTR]: 'EINTR', [ENXIO]: 'ENXIO', [EAGAIN]: 'EAGAIN', [ENOMEM]: 'ENOMEM',
  [EACCES]: 'EACCES', [EBUSY]: 'EBUSY', [ENODEV]: 'ENODEV', [EINVAL]: 'EINVAL', [ENODATA]: 'ENODATA',
  [EOPNOTSUPP]: 'EOPNOTSUPP', [ECANCELED]: 'ECANCELED', [EPROBE_DEFER]: 'EPROBE_DEFER',
};

/** "-EINVAL" for -22, "0" for 0. */
export function errnoName(ret: number): string {
  if (ret === 0) return '0';
  const n = ERRNO_NAMES[-ret];
  return n === undefined ? String(ret) : `-${n}`;
}

export interface BusType {
  readonly name: string;
}

export interface Device {
  readonly name: string;
  readonly bus: BusType;
  /** The bound driver, or null. */
  driver: Driver | null;
}

export interface Driver {
  readonly name: string;
  readonly bus: BusType;
  /** True when this driver handles `dev` (the bus's match callback). */
  match(dev: Device): boolean;
  /** 0 (bound), -EPROBE_DEFER (retry later) or another negative errno (give up on this pair). */
  probe(dev: Device): number;
}

/** What the driver core reports (dmesg-like lines and probe outcomes). */
export interface DriverCoreObserver {
  log?(text: string): void;
  probed?(dev: Device, drv: Driver, ret: number): void;
}

export class DriverCore {
  private readonly buses: BusType[] = [];
  readonly devices: Device[] = [];
  readonly drivers: Driver[] = [];
  /** driver_deferred_probe_enable */
  deferredProbeEnabled = false;
  /** deferred_probe_pending_list */
  readonly pending: Device[] = [];
  /** deferred_probe_active_list */
  readonly active: Device[] = [];
  /** The deferred-probe work is queued (runs at the next flush). */
  workQueued = false;
  /** Times the trigger moved the pending list (deferred_trigger_count). */
  triggerCount = 0;
  private inWork = false;

  constructor(private readonly obs: DriverCoreObserver = {}) {}

  busRegister(bus: BusType): void {
    if (this.buses.includes(bus)) throw new Error(`bus ${bus.name} registered twice`);
    this.buses.push(bus);
    this.obs.log?.(`bus: '${bus.name}': registered`);
  }

  busRegistered(bus: BusType): boolean {
    return this.buses.includes(bus);
  }

  /** device_add + bus_probe_device. Returns -EINVAL when the bus is not registered (as Linux does). */
  deviceRegister(dev: Device): number {
    if (!this.busRegistered(dev.bus)) {
      this.obs.log?.(`device: '${dev.name}': bus '${dev.bus.name}' not registered`);
      return -EINVAL;
    }
    this.devices.push(dev);
    this.obs.log?.(`device: '${dev.name}': device_add`);
    this.probeDevice(dev);
    return 0;
  }

  /** driver_register + driver_attach. */
  driverRegister(drv: Driver): number {
    if (!this.busRegistered(drv.bus)) {
      this.obs.log?.(`Driver '${drv.name}' was unable to register with bus_type '${drv.bus.name}' because the bus was not initialized.`);
      return -EINVAL;
    }
    this.drivers.push(drv);
    this.obs.log?.(`bus: '${drv.bus.name}': add driver ${drv.name}`);
    for (const dev of this.devices.slice()) {
      if (dev.bus !== drv.bus || dev.driver !== null) continue;
      if (drv.match(dev)) this.reallyProbe(dev, drv);
    }
    return 0;
  }

  /** bus_probe_device: try the bus's drivers on an unbound device, in registration order. */
  private probeDevice(dev: Device): void {
    for (const drv of this.drivers.slice()) {
      if (dev.driver !== null) return;
      if (drv.bus !== dev.bus || !drv.match(dev)) continue;
      const ret = this.reallyProbe(dev, drv);
      if (ret === -EPROBE_DEFER) return;
    }
  }

  private reallyProbe(dev: Device, drv: Driver): number {
    this.obs.log?.(`bus: '${dev.bus.name}': ${drv.name}: probing device ${dev.name}`);
    const ret = drv.probe(dev);
    this.obs.probed?.(dev, drv, ret);
    if (ret === 0) {
      dev.driver = drv;
      this.removePending(dev);
      this.obs.log?.(`driver: '${drv.name}': bound to device '${dev.name}'`);
      this.trigger(); // driver_bound: a new binding may satisfy a deferred device
    } else if (ret === -EPROBE_DEFER) {
      if (!this.pending.includes(dev) && !this.active.includes(dev)) this.pending.push(dev);
      this.obs.log?.(`${drv.name} ${dev.name}: Driver ${drv.name} requests probe deferral`);
    } else {
      this.obs.log?.(`${drv.name} ${dev.name}: probe with driver ${drv.name} failed with error ${ret}`);
    }
    return ret;
  }

  private removePending(dev: Device): void {
    const i = this.pending.indexOf(dev);
    if (i >= 0) this.pending.splice(i, 1);
  }

  /** driver_deferred_probe_trigger: a no-op until deferred probing is enabled. */
  trigger(): void {
    if (!this.deferredProbeEnabled) return;
    this.triggerCount++;
    for (const d of this.pending.splice(0)) if (!this.active.includes(d)) this.active.push(d);
    this.workQueued = true;
  }

  /** flush_work(&deferred_probe_work): run the queued work to completion, synchronously. */
  flush(): void {
    if (this.inWork) return;
    this.inWork = true;
    try {
      while (this.workQueued) {
        this.workQueued = false;
        while (this.active.length > 0) {
          const dev = this.active.shift()!;
          if (dev.driver !== null) continue;
          this.obs.log?.(`deferred probe: retrying ${dev.name}`);
          this.probeDevice(dev);
        }
      }
    } finally {
      this.inWork = false;
    }
  }

  /** deferred_probe_initcall (late_initcall, drivers/base/dd.c). */
  deferredProbeInitcall(): number {
    this.deferredProbeEnabled = true;
    this.trigger();
    this.flush();
    // Second round: Linux marks initcalls done (optional suppliers no longer deferred) and retries.
    this.trigger();
    this.flush();
    return 0;
  }
}
