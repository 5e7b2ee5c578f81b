// "Results" of a job's view: the output folder, the manifest's record and token counts, the
// estimated cost, and the output files with their download links. Until the job finishes only the
// folder shows; a part the gateway refused shows why, never an empty list.
import { createElement } from './create-element.js';
import { code, count, renderFields } from './field-list.js';
import { formatBytes, formatDateTime, formatMoney } from './format.js';
import { describeProblem } from './gateway-error.js';

export function createJobResults({ state, error, fields, filesBlock, filesNote, filesError, files }) {
  function show(element, text) {
    element.textContent = text ?? '';
    element.hidden = !text;
  }

  return {
    /**
     * `results` and `downloads` are the view query's two aliases of `results` (null when refused,
     * or when the job has no output location); `resultsError` and `downloadsError` their errors.
     */
    render({ job, results, resultsError, downloads, downloadsError }) {
      const folder = results?.s3Uri ?? outputFolder(job);
      const waiting = !job.isTerminal;
      show(
        state,
        waiting
          ? 'The manifest, tokens, cost, output files and failed records appear here when the job finishes.'
          : !results && !resultsError
            ? 'This job has no S3 output location, so there are no results to show.'
            : '',
      );
      show(error, resultsError && !waiting ? describeProblem(resultsError, 'The results could not be read') : '');

      const summary = [['Output folder', code(folder), 'wide']];
      if (results && !waiting) summary.push(...manifestFields(results.manifest), ['Estimated cost', cost(results.estimatedCost), 'wide']);
      renderFields(fields, summary);
      fields.hidden = !folder;

      filesBlock.hidden = waiting || !results;
      if (filesBlock.hidden) return;
      const links = new Map((downloads?.files ?? []).map((file) => [file.s3Uri, file.downloadUrl]));
      show(filesNote, results.files.length === 0 ? 'There are no output files in the output folder.' : '');
      show(filesError, downloadsError ? describeProblem(downloadsError, 'Download links are not available') : '');
      files.replaceChildren(...results.files.map((file) => fileItem(file, links.get(file.s3Uri))));
    },
  };
}

/** Where Bedrock writes a job's output: a folder named after the job under its output location. */
function outputFolder(job) {
  const base = job.outputDataConfig?.s3Uri;
  return base ? `${base.endsWith('/') ? base : `${base}/`}${job.jobId}/` : null;
}

function manifestFields(manifest) {
  if (!manifest) return [['Manifest', 'Not written: there is no manifest.json.out in the output folder.']];
  return [
    ['Records', count(manifest.totalRecordCount)],
    ['Processed', count(manifest.processedRecordCount)],
    ['Succeeded', count(manifest.successRecordCount)],
    ['Failed', count(manifest.errorRecordCount)],
    ['Input tokens', count(manifest.inputTokenCount)],
    ['Output tokens', count(manifest.outputTokenCount)],
  ];
}

function cost(estimate) {
  if (!estimate) return createElement('span', { className: 'muted', textContent: 'No price is configured for this model.' });
  const { currency, inputCost, outputCost, total } = estimate;
  return createElement('span', {}, [
    createElement('strong', { textContent: formatMoney(total, currency) }),
    createElement('span', {
      className: 'muted',
      textContent: ` (input ${formatMoney(inputCost, currency)}, output ${formatMoney(outputCost, currency)})`,
    }),
  ]);
}

function fileItem(file, downloadUrl) {
  const name = file.s3Uri.slice(file.s3Uri.lastIndexOf('/') + 1) || file.s3Uri;
  const item = createElement('li', { className: 'file' }, [
    createElement('code', { className: 'file-name', textContent: name, title: file.s3Uri }),
    createElement('span', {
      className: 'file-meta',
      textContent: `${formatBytes(file.size)} · ${formatDateTime(new Date(file.lastModified))}`,
    }),
  ]);
  if (downloadUrl) {
    // A presigned S3 URL: another origin, so the browser downloads or shows it as S3 serves it.
    item.append(
      createElement('a', { className: 'download', href: downloadUrl, download: name }, [
        'Download',
        createElement('span', { className: 'visually-hidden', textContent: ` ${name}` }),
      ]),
    );
  }
  return item;
}
