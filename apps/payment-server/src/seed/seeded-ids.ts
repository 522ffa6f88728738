import { formatId } from '@mcpfed/db';
import type { IdGenerator } from '../service/new-id.ts';

/**
 * Deterministic ids for the demo seed: times step one second from 2025-01-01 and the random part comes from an
 * sfc32 PRNG of `seed`, so the same seed run against an empty database yields the same ids.
 */
export function seededIds(seed: number): IdGenerator {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) next();
  let time = Date.UTC(2025, 0, 1);
  return (prefix) => {
    time += 1000;
    const random = new Uint8Array(10);
    for (let i = 0; i < random.length; i++) random[i] = next() & 0xff;
    return formatId(prefix, time, random);
  };
}
