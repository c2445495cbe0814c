/** The GDB remote stub (Node only: server.ts uses node:net). */
export { GdbStub, type GdbStubOptions, type StubEnd } from './stub.js';
export { type GdbServer, type GdbServerOptions, startGdbServer } from './server.js';
export { GDB_REGISTERS, G_PACKET_REGS, targetXml } from './target.js';
export { PacketReader, encodePacket } from './protocol.js';
