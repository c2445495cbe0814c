/** ELF64 and raw image loading (parse and validate only; placement is the machine's job). */
export {
  isElf,
  loadRaw,
  LoaderError,
  parseElf,
  PF_R,
  PF_W,
  PF_X,
  type LoadedImage,
  type LoaderErrorCode,
  type LoadSegment,
  type ParseElfOptions,
} from './elf.js';
