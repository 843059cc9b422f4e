// Service notices as banners at the top of the pane: fetched at start, every 5 minutes and when an
// admin changes them here; one Fluent MessageBar per notice, in the UI language, dismissible for the
// browser session. Part of the initial bundle, so it stays small. A failed fetch shows nothing: the
// banner is a courtesy, and the next poll tries again.
import { Button, MessageBar, MessageBarActions, MessageBarBody, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActiveNotice } from '../../../../shared/src/contracts';
import { useApi } from '../../api/context';
import { formatDateTime } from '../../format';
import { useLocale } from '../useLocale';
import { NOTICES_CHANGED } from './events';

const POLL_MS = 5 * 60_000;
const DISMISSED_KEY = 'brevdue.dismissedNotices';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}` },
  text: { overflowWrap: 'anywhere', whiteSpace: 'pre-line' },
});

function readDismissed(): string[] {
  try {
    const v: unknown = JSON.parse(globalThis.sessionStorage?.getItem(DISMISSED_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return []; // storage blocked in some Office web views: dismissals last until reload
  }
}

export function NoticeBanner() {
  const s = useStyles();
  const api = useApi();
  const { t, i18n } = useTranslation();
  const locale = useLocale();
  const [notices, setNotices] = useState<ActiveNotice[]>([]);
  const [dismissed, setDismissed] = useState<string[]>(readDismissed);

  useEffect(() => {
    let controller = new AbortController();
    const load = () => {
      controller.abort();
      controller = new AbortController();
      api.activeNotices(controller.signal).then(setNotices, () => {});
    };
    load();
    const timer = window.setInterval(load, POLL_MS);
    window.addEventListener(NOTICES_CHANGED, load);
    return () => {
      controller.abort();
      window.clearInterval(timer);
      window.removeEventListener(NOTICES_CHANGED, load);
    };
  }, [api]);

  const dismiss = useCallback((id: string) => {
    setDismissed((cur) => {
      const next = [...cur, id];
      try { globalThis.sessionStorage?.setItem(DISMISSED_KEY, JSON.stringify(next)); } catch { /* not remembered */ }
      return next;
    });
  }, []);

  const now = Date.now();
  const shown = notices.filter((n) => !dismissed.includes(n.id) && Date.parse(n.endsAt) > now);
  if (shown.length === 0) return null;
  const english = (i18n.resolvedLanguage ?? i18n.language).startsWith('en');
  return (
    <section className={s.root} aria-label={t('notices.label')} data-testid="notices">
      {shown.map((n) => {
        // Past its start since the last fetch: say it is under way.
        const phase = n.phase === 'active' || Date.parse(n.startsAt) <= now ? 'active' : 'upcoming';
        return (
          <MessageBar key={n.id} intent={n.severity === 'warning' ? 'warning' : 'info'} layout="multiline" data-testid="notice" data-notice-id={n.id} data-phase={phase} data-intent={n.severity}>
            <MessageBarBody className={s.text} data-testid="notice-text">
              {t(`notices.${phase}`, { from: formatDateTime(n.startsAt, locale), to: formatDateTime(n.endsAt, locale), text: english ? n.textEn : n.textDa })}
            </MessageBarBody>
            <MessageBarActions
              containerAction={<Button appearance="transparent" size="small" aria-label={t('notices.dismiss')} onClick={() => dismiss(n.id)} data-testid="notice-dismiss">×</Button>}
            />
          </MessageBar>
        );
      })}
    </section>
  );
}
