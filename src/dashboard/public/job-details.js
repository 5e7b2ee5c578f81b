// The top of a job's view: its name and status chip, Bedrock's message, the progress bar with the
// rate and ETA of a running job, and "Details", every field of the job as terms and values ("—"
// where Bedrock reports none), the gateway's own measures (Started, Throughput, Estimated
// completion) among them.
import { createElement } from './create-element.js';
import { code, count, renderFields, time } from './field-list.js';
import { formatDuration, formatFromNow } from './format.js';
import { createPace, describeRate, paceOf } from './job-pace.js';
import { describeProgress, displayName, jobDuration, statusChipClass, statusLabel } from './jobs.js';

export function createJobDetails({ title, status, message, bar, progressText, pace: paceLine, fields }) {
  const pace = createPace(paceLine);
  /** The values that tick while the job runs: Duration, and the ETA's "in N min.". */
  let duration = null;
  let fromNow = null;
  let job = null;

  return {
    render(next) {
      job = next;
      title.textContent = displayName(job);
      status.hidden = false;
      status.className = statusChipClass(job.status);
      status.textContent = statusLabel(job.status) ?? 'Unknown';
      message.textContent = job.message ?? '';
      message.hidden = !job.message;

      const progress = describeProgress(job);
      bar.hidden = progress.percent === null;
      if (progress.percent !== null) bar.value = progress.percent;
      bar.dataset.status = job.status ?? '';
      progressText.textContent = progress.text;
      pace.render(job);

      duration = createElement('span', { textContent: formatDuration(jobDuration(job)) });
      fromNow = createElement('span', { className: 'muted' });
      renderFields(fields, describeFields(job, duration, fromNow));
      tickFromNow();
    },
    /** Running jobs' duration and ETA tick (the page calls this every second). */
    tick() {
      if (!job || job.isTerminal) return;
      if (duration) duration.textContent = formatDuration(jobDuration(job));
      pace.tick();
      tickFromNow();
    },
  };

  function tickFromNow() {
    const { completion } = paceOf(job);
    if (completion && fromNow) fromNow.textContent = ` (${formatFromNow(completion)})`;
  }
}

/** [term, value, wide] entries (field-list.js). */
function describeFields(job, duration, fromNow) {
  return [
    ['Name', job.jobName],
    ['Job ID', code(job.jobId)],
    ['Model', job.modelId],
    ['Invocation type', job.modelInvocationType],
    ['ARN', code(job.jobArn), 'wide'],
    ['Submitted', time(job.submitTime)],
    ['Started', time(job.startedAt)],
    ['Last modified', time(job.lastModifiedTime)],
    ['Ended', time(job.endTime)],
    [job.isTerminal ? 'Took' : 'Running for', duration],
    ...paceFields(job, fromNow),
    ['Timeout', job.timeoutDurationInHours == null ? null : `${job.timeoutDurationInHours} hours`],
    ['Expires', time(job.jobExpirationTime)],
    ['Records', records(job), 'wide'],
    ...dataConfigFields('Input', job.inputDataConfig),
    ...dataConfigFields('Output location', job.outputDataConfig),
    ['Service role', code(job.roleArn), 'wide'],
    ['VPC', vpc(job.vpcConfig), 'wide'],
    ['Client request token', code(job.clientRequestToken), 'wide'],
  ];
}

/** While the job runs: its rate and when it should be done ("—" until the gateway has measured them). */
function paceFields(job, fromNow) {
  if (job.status !== 'IN_PROGRESS') return [];
  const { throughput, completion } = paceOf(job);
  const over = throughput && formatDuration(throughput.windowSeconds * 1000);
  const rate = throughput && (throughput.recordsPerMinute > 0 ? `${describeRate(throughput)}, over the last ${over}` : describeRate(throughput));
  const done = completion && createElement('span', {}, [time(job.estimatedCompletionTime), fromNow]);
  return [
    ['Throughput', rate],
    ['Estimated completion', done],
  ];
}

/** The four record counts in one line, each named. */
function records(job) {
  const counts = [
    [job.totalRecordCount, 'in the input'],
    [job.processedRecordCount, 'processed'],
    [job.successRecordCount, 'succeeded'],
    [job.errorRecordCount, 'failed'],
  ];
  return counts.every(([value]) => value == null)
    ? null
    : counts.map(([value, label]) => `${count(value) ?? '—'} ${label}`).join(' · ');
}

/** S3 locations in full; a kind of location newer than this gateway by its name. */
function dataConfigFields(label, config) {
  if (!config) return [[label, null]];
  if (config.__typename === 'UnknownDataConfig') {
    return [[label, `A kind of location this gateway does not know (${config.kind || 'unnamed'})`]];
  }
  const uri = code(config.s3Uri);
  const value = config.s3InputFormat
    ? createElement('span', {}, [uri, createElement('span', { className: 'muted', textContent: ` (${config.s3InputFormat})` })])
    : uri;
  const fields = [[label, value, 'wide']];
  if (config.s3EncryptionKeyId) fields.push([`${label}: KMS key`, code(config.s3EncryptionKeyId), 'wide']);
  if (config.s3BucketOwner) fields.push([`${label}: bucket owner`, config.s3BucketOwner]);
  return fields;
}

function vpc(config) {
  if (!config) return createElement('span', { className: 'muted', textContent: 'None: the job reaches its data over the public network' });
  return `Subnets ${config.subnetIds.join(', ')} · security groups ${config.securityGroupIds.join(', ')}`;
}
