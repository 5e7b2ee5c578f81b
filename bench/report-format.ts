// How the benchmark report writes figures and tables.
import { round } from './stats.ts';

export const ms = (value: number) => (value >= 10 ? round(value, 1) : round(value, 2)).toString();
export const kib = (bytes: number) => `${round(bytes / 1024, 1)} KiB`;
export const percent = (ratio: number) => `${round(ratio * 100)}%`;
export const count = (value: number) => Math.round(value).toLocaleString('en-US');
export const table = (header: string[], rows: Array<Array<string | number>>) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
