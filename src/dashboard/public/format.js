// How counts, rates, sizes, amounts, times and durations read on the page, in the browser's locale.
const numberFormat = new Intl.NumberFormat();
const rateFormats = [new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }), new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 })];
const timeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const clockFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayClockFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { style: 'short', numeric: 'auto' });
/** Up to this far from now a time reads as a time of day alone; "in N hr." says which day it is. */
const CLOCK_ONLY_MS = 12 * 3_600_000;
const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

export function formatCount(count) {
  return numberFormat.format(count);
}

export function formatTime(date) {
  return timeFormat.format(date);
}

/** A rate: one decimal below 10 (`0.4`), whole numbers above (`1,234`). */
export function formatRate(perMinute) {
  return rateFormats[perMinute < 10 ? 0 : 1].format(perMinute);
}

/** A time soon to come as the clock reads it (`2:32 PM`, `14:32`), with the day when it is further off. */
export function formatClock(date, now = Date.now()) {
  return (Math.abs(date - now) <= CLOCK_ONLY_MS ? clockFormat : dayClockFormat).format(date);
}

/**
 * How far ahead `date` is: `in 12 min.`, `in 2.5 hr.`, `in 3 days`; `this minute` when it is less
 * than half a minute away or already past (an estimate that has come due).
 */
export function formatFromNow(date, now = Date.now()) {
  const minutes = Math.max(0, (date - now) / 60_000);
  if (minutes < 59.5) return relativeFormat.format(Math.round(minutes), 'minute');
  const hours = minutes / 60;
  if (hours < 47.5) return relativeFormat.format(hours < 9.95 ? Math.round(hours * 10) / 10 : Math.round(hours), 'hour');
  return relativeFormat.format(Math.round(hours / 24), 'day');
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
