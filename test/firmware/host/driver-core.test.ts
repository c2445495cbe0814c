import { describe, expect, it } from 'vitest';
import { type BusType, type Device, type Driver, DriverCore, EINVAL, EPROBE_DEFER, errnoName } from '../../../src/firmware/host/driver-core.js';

const bus: BusType = { name: 'test' };
const dev = (name: string): Device => ({ name, bus, driver: null });
function drv(name: string, probe: (d: Device) => number, match: (d: Device) => boolean = () => true): Driver {
  return { name, bus, match, probe };
}

describe('driver core', () => {
  it('probes at driver registration and at device registration', () => {
    const core = new DriverCore();
    core.busRegister(bus);
    const probed: string[] = [];
    const d1 = dev('d1');
    core.deviceRegister(d1);
    core.driverRegister(drv('x', (d) => { probed.push(d.name); return 0; }));
    const d2 = dev('d2');
    core.deviceRegister(d2);
    expect(probed).toEqual(['d1', 'd2']);
    expect(d1.driver?.name).toBe('x');
    expect(d2.driver?.name).toBe('x');
  });

  it('refuses devices and drivers on an unregistered bus', () => {
    const core = new DriverCore();
    expect(core.deviceRegister(dev('d'))).toBe(-EINVAL);
    expect(core.driverRegister(drv('x', () => 0))).toBe(-EINVAL);
  });

  it('keeps a deferred device pending until deferred probing is enabled, then flushes twice', () => {
    const lines: string[] = [];
    const core = new DriverCore({ log: (t) => lines.push(t) });
    core.busRegister(bus);
    let attempts = 0;
    // Defers on its first two attempts: the first round of deferred_probe_initcall is not enough.
    const d = dev('root');
    core.deviceRegister(d);
    core.driverRegister(drv('rootdrv', () => (++attempts >= 3 ? 0 : -EPROBE_DEFER)));
    expect(attempts).toBe(1);
    expect(core.pending).toEqual([d]);
    // A trigger before deferred_probe_initcall does nothing (driver_deferred_probe_enable is false).
    core.trigger();
    core.flush();
    expect(attempts).toBe(1);
    expect(core.pending).toEqual([d]);
    core.deferredProbeInitcall();
    expect(attempts).toBe(3);
    expect(d.driver?.name).toBe('rootdrv');
    expect(core.pending).toHaveLength(0);
    expect(lines.some((l) => l.includes('requests probe deferral'))).toBe(true);
  });

  it('retries deferred devices when another driver binds (driver_bound triggers)', () => {
    const core = new DriverCore();
    core.busRegister(bus);
    core.deferredProbeEnabled = true;
    let supplierBound = false;
    const consumer = dev('consumer');
    const supplier = dev('supplier');
    core.driverRegister(drv('c', () => (supplierBound ? 0 : -EPROBE_DEFER), (d) => d.name === 'consumer'));
    core.driverRegister(drv('s', () => { supplierBound = true; return 0; }, (d) => d.name === 'supplier'));
    core.deviceRegister(consumer);
    expect(consumer.driver).toBeNull();
    core.deviceRegister(supplier);
    core.flush();
    expect(consumer.driver?.name).toBe('c');
  });

  it('names errnos', () => {
    expect(errnoName(-EPROBE_DEFER)).toBe('-EPROBE_DEFER');
    expect(errnoName(-22)).toBe('-EINVAL');
    expect(errnoName(0)).toBe('0');
    expect(errnoName(-9999)).toBe('-9999');
  });
});
