// How counts, sizes, amounts, times and durations read on the page, in the browser's locale.
const numberFormat = new Intl.NumberFormat();
const timeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function formatCount(count) {
  return numberFormat.format(count);
}

export function formatTime(date) {
  return timeFormat.format(date);
}

/** With the year: for a job's own page, where a time may be months old. */
export function formatDateTime(date) {
  return dateTimeFormat.format(date);
}

/** The two largest units, e.g. `42m 05s`, `3h 12m`, `2d 4h`. */
export function formatDuration(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (n) => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** Decimal units, e.g. `512 B`, `1.2 MB`. */
export function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(undefined, { maximumFractionDigits: digits })} ${BYTE_UNITS[unit]}`;
}

/** An amount of `currency` (ISO 4217); cents of cents still show, since a small job may cost $0.0042. */
export function formatMoney(amount, currency) {
  try {
    return new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: amount > 0 && amount < 1 ? 4 : 2,
    }).format(amount);
  } catch {
    // A currency code Intl does not know: the number and the code as given.
    return `${numberFormat.format(amount)} ${currency}`;
  }
}
