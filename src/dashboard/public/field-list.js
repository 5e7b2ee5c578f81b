// Terms and values of a job's view (`<dl>` lists): how a value of each kind is shown, and "—"
// (read as "none") where there is no value.
import { createElement } from './create-element.js';
import { formatCount, formatDateTime } from './format.js';

/**
 * Fills `dl` with `[term, value, wide]` entries; a value is text, a node, or null/'' for none.
 * `wide` values (ARNs, S3 URIs) take a whole line where the columns are narrow.
 */
export function renderFields(dl, entries) {
  dl.replaceChildren(
    // Each pair in a <div>, as HTML allows, so that the grid layout keeps them together.
    ...entries.map(([term, value, wide]) =>
      createElement('div', { className: wide ? 'field field-wide' : 'field' }, [
        createElement('dt', { textContent: term }),
        createElement('dd', {}, [value === null || value === undefined || value === '' ? none() : value]),
      ]),
    ),
  );
}

/** Identifiers, ARNs and S3 URIs: monospace, and wrapped anywhere on a narrow screen. */
export function code(text) {
  return text ? createElement('code', { textContent: text }) : null;
}

export function time(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return createElement('time', { dateTime: iso, title: date.toISOString(), textContent: formatDateTime(date) });
}

export function count(value) {
  return value === null || value === undefined ? null : formatCount(value);
}

function none() {
  const dash = createElement('span', { textContent: '—' });
  dash.setAttribute('aria-hidden', 'true');
  return createElement('span', { className: 'none' }, [dash, createElement('span', { className: 'visually-hidden', textContent: 'none' })]);
}
