// Admin › Mailboxes › Jobs: the job runner as operators need it (GET /api/admin/jobs, admins and
// operators): per job name queued, due now, running, failed recently and the oldest wait, and the
// failures the caller may see, each with the server's (CPR-masked) reason; a mailbox's as its error
// kind's headline in the reader's language, the reason below as the technical detail. Read-only, with refresh.
// Jobs are named in words; the technical name (as in logs and metrics) is secondary text.
import { Badge, Body1Strong, Button, Caption1, Spinner, Text } from '@fluentui/react-components';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { JobsOverview } from '../../../../shared/src/contracts';
import { useApi } from '../../api/context';
import { formatDateTime } from '../../format';
import { ErrorBar } from '../ErrorBar';
import { RefreshIcon } from '../icons';
import { useLocale } from '../useLocale';
import { useAdminStyles, useResource } from './common';
import { MailboxErrorExplained } from './mailboxes/MailboxError';

type JobRow = JobsOverview['jobs'][number];

/** Every job the backend names (backend/src/jobs/names.ts; tests/unit/addin-job-names.test.ts holds the two together). */
export const KNOWN_JOBS = ['poll-mailbox', 'route-letter', 'deliver', 'ngdp-receipt', 'notify-dead-letter', 'recover-uncertain', 'retention-purge', 'stats-compact', 'quarantine-notices'] as const;

/** A job's name in words; a job this pane does not know keeps its technical name. */
export function jobLabel(name: string, t: TFunction): string {
  return (KNOWN_JOBS as readonly string[]).includes(name) ? t(`jobs.names.${name as typeof KNOWN_JOBS[number]}`) : name;
}

/** A failure's heading: the job, when, and which attempt it was when the server knows (null: a delivery sent again, say). */
export function failureTitle(f: JobsOverview['recentFailures'][number], t: TFunction, locale: string): string {
  const o = { name: jobLabel(f.name, t), date: formatDateTime(f.failedAt, locale, true) };
  return f.failCount ? t('jobs.failure', { ...o, attempts: f.failCount }) : t('jobs.failureWhen', o);
}

export function JobsSection() {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const api = useApi();
  const jobs = useResource((signal) => api.adminJobs(signal));
  const data = jobs.data;

  return (
    <section className={s.section} aria-labelledby="jobs-title" data-testid="admin-jobs">
      <div className={s.header}>
        <Body1Strong id="jobs-title" className={s.grow} as="h3">{t('jobs.title')}</Body1Strong>
        <Button size="small" icon={<RefreshIcon />} onClick={jobs.reload} aria-label={t('jobs.refresh')} title={t('jobs.refresh')} data-testid="jobs-refresh" />
      </div>
      <Text className={s.intro}>{t('jobs.intro')}</Text>
      {jobs.error != null && <ErrorBar title={t('jobs.loadFailed')} error={jobs.error} onRetry={jobs.reload} />}
      {jobs.loading && !data && <div className={s.center}><Spinner size="small" label={t('app.loading')} /></div>}
      {data && data.jobs.length === 0 && <Caption1 className={s.meta}>{t('jobs.empty')}</Caption1>}
      {data && data.jobs.length > 0 && (
        <ul className={s.list} data-testid="jobs-list">
          {data.jobs.map((j) => <JobItem key={j.name} job={j} hours={data.recentHours} />)}
        </ul>
      )}
      {data && (
        <>
          <Text weight="semibold" as="h4">{t('jobs.failuresTitle')}</Text>
          {data.recentFailures.length === 0
            ? <Caption1 className={s.meta} data-testid="jobs-no-failures">{t('jobs.noFailures')}</Caption1>
            : (
              <ul className={s.list} data-testid="jobs-failures">
                {data.recentFailures.map((f, i) => <FailureItem key={`${f.name}-${f.failedAt}-${i}`} f={f} />)}
              </ul>
            )}
        </>
      )}
    </section>
  );
}

/** One failure: its heading and reason; a mailbox's with a kind as that kind's headline above the reason (the technical detail). */
export function FailureItem({ f }: { f: JobsOverview['recentFailures'][number] }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <li className={s.card} data-testid="jobs-failure">
      <Text weight="semibold">{failureTitle(f, t, locale)}</Text>
      {f.mailbox?.errorKind
        ? (
          <MailboxErrorExplained
            kind={f.mailbox.errorKind} error={f.failReason} provider={t(`provider.${f.mailbox.provider}`)}
            size="row" testId="jobs-failure-reason" withAction={false}
          />
        )
        : <Caption1 className={s.problem} data-testid="jobs-failure-reason">{f.failReason ?? t('jobs.noReason')}</Caption1>}
    </li>
  );
}

function JobItem({ job, hours }: { job: JobRow; hours: number }) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const waiting = job.oldestDueSeconds;
  return (
    <li className={s.card} data-testid="job" data-job={job.name}>
      <div className={s.row}>
        <Text weight="semibold" className={s.name} data-testid="job-name">{jobLabel(job.name, t)}</Text>
        {job.failedRecently > 0 && <Badge appearance="tint" color="danger">{t('jobs.failedRecently', { hours })}: {job.failedRecently}</Badge>}
      </div>
      {jobLabel(job.name, t) !== job.name && (
        <Caption1 className={s.meta} title={t('jobs.technicalName', { name: job.name })} data-testid="job-technical-name">{job.name}</Caption1>
      )}
      <Caption1 className={s.meta} data-testid="job-counts">
        {t('jobs.queued')} {job.queued} · {t('jobs.dueNow')} {job.dueNow} · {t('jobs.running')} {job.running}
        {' · '}{t('jobs.oldestDue')} {waiting == null ? t('jobs.none') : t('jobs.seconds', { value: waiting })}
      </Caption1>
    </li>
  );
}
