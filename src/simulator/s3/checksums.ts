// The checksums S3 accepts with an object (x-amz-checksum-<algorithm>, base64 of the big-endian
// digest) and Content-MD5, computed here so the simulator can check what a client sends and
// return what S3 returns. CRC32 is zlib's; CRC32C and CRC64NVME are table-driven below, since
// Node 20 has neither.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** A full-object checksum as S3 stores and returns it. */
export interface ObjectChecksum {
  algorithm: ChecksumAlgorithm;
  /** Base64 of the digest, as in the x-amz-checksum-* headers. */
  value: string;
}

/** `x-amz-checksum-crc32` for CRC32, and so on. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The algorithm a (lower-case) x-amz-checksum-* header name stands for, if any. */
export function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  return CHECKSUM_ALGORITHMS.find((algorithm) => checksumHeader(algorithm) === name);
}

/** Base64 of `algorithm`'s digest of `data`. */
export function computeChecksum(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  switch (algorithm) {
    case 'CRC32':
      return uint32Base64(crc32(data));
    case 'CRC32C':
      return uint32Base64(crc32c(data));
    case 'CRC64NVME':
      return crc64Nvme(data);
    case 'SHA1':
      return createHash('sha1').update(data).digest('base64');
    case 'SHA256':
      return createHash('sha256').update(data).digest('base64');
  }
}

/** The MD5 of `data` in hex: an S3 ETag (unquoted) for a single-part object. */
export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

export function md5Base64(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

function uint32Base64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString('base64');
}

// CRC-32C (Castagnoli), reflected polynomial 0x82f63b78.
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    table[i] = crc >>> 0;
  }
  return table;
})();

function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (CRC32C_TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// CRC-64/NVME, reflected polynomial 0x9a6c9329ac4bc9b5, held as two 32-bit halves so that no
// BigInt runs per byte.
const CRC64_POLY_HI = 0x9a6c9329;
const CRC64_POLY_LO = 0xac4bc9b5;
const [CRC64_TABLE_HI, CRC64_TABLE_LO] = (() => {
  const hiTable = new Uint32Array(256);
  const loTable = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let hi = 0;
    let lo = i;
    for (let bit = 0; bit < 8; bit++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        hi = (hi ^ CRC64_POLY_HI) >>> 0;
        lo = (lo ^ CRC64_POLY_LO) >>> 0;
      }
    }
    hiTable[i] = hi;
    loTable[i] = lo;
  }
  return [hiTable, loTable] as const;
})();

function crc64Nvme(data: Uint8Array): string {
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const index = (lo ^ (data[i] as number)) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ (CRC64_TABLE_LO[index] as number)) >>> 0;
    hi = ((hi >>> 8) ^ (CRC64_TABLE_HI[index] as number)) >>> 0;
  }
  const bytes = Buffer.alloc(8);
  bytes.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
  bytes.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
  return bytes.toString('base64');
}
