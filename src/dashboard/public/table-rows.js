// The jobs table's rows: each job's row (job-row.js) by its jobId, and their order in the table,
// newest first, which is the order of the rows' <tr> elements.
import { tickRow } from './job-row.js';
import { compareNewestFirst } from './jobs.js';

/** `body` is the table's <tbody>. */
export function createTableRows(body) {
  const rows = new Map();

  function inOrder() {
    return [...body.children].map((tr) => rows.get(tr.dataset.jobId)).filter(Boolean);
  }

  return {
    get: (jobId) => rows.get(jobId),
    has: (jobId) => rows.has(jobId),
    values: () => rows.values(),
    get size() {
      return rows.size;
    },
    /** The rows from the top of the table down. */
    inOrder,

    append(row) {
      rows.set(row.job.jobId, row);
      body.append(row.tr);
    },

    /** Inserts at the job's place in newest-first order. */
    insert(row) {
      const before = inOrder().find((other) => compareNewestFirst(row.job, other.job) < 0);
      rows.set(row.job.jobId, row);
      body.insertBefore(row.tr, before?.tr ?? null);
    },

    clear() {
      rows.clear();
      body.replaceChildren();
    },

    /** Whether `job` (not in the table) sorts above the bottom row, or there is none. */
    sortsAboveBottom(job) {
      const oldest = inOrder().at(-1);
      return !oldest || compareNewestFirst(job, oldest.job) <= 0;
    },

    /** Unfinished rows' durations, and running rows' "in N min.", on the browser's clock. */
    tick() {
      for (const row of rows.values()) if (!row.job.isTerminal) tickRow(row);
    },
  };
}
