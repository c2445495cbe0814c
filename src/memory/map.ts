/**
 * The physical memory map of QEMU's `virt` board (hw/arm/virt.c memmap, as seen with
 * `-machine virt,secure=on`), the subset a64el models.
 */
export const FLASH_BASE = 0x0000_0000, FLASH_SIZE = 0x0400_0000;        // secure flash (flash0), 64 MiB
export const UART_BASE = 0x0900_0000, UART_SIZE = 0x1000;              // PL011
export const SECURE_UART_BASE = 0x0904_0000;                           // second PL011, secure-only (not modelled)
export const SECURE_RAM_BASE = 0x0e00_0000, SECURE_RAM_SIZE = 0x0100_0000; // 16 MiB, secure-only
export const DRAM_BASE = 0x4000_0000;                                   // non-secure DRAM
export const DEFAULT_DRAM_SIZE = 128 * 1024 * 1024;

/** Physical address size of the modelled PE (ID_AA64MMFR0_EL1.PARange = 48 bits). */
export const PA_BITS = 48;
