import { FluentProvider, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useHostTheme } from '../office/theme';
import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../shared/src/contracts';
import { isAbortError, type ApiClient } from '../api/client';
import { ApiProvider, useApi } from '../api/context';
import { SessionProvider } from '../api/session';
import { hasMailbox } from '../office/mailbox';
import type { OfficeInfo } from '../office/ready';
import { ErrorBar } from './ErrorBar';
import { ErrorBoundary } from './ErrorBoundary';
import { Header } from './Header';
import { MessageList } from './MessageList';
import { Nav } from './Nav';
import { NoticeBanner } from './notices/NoticeBanner';
import type { TriageReturn } from './TriageView';
import { useHashRoute, type Section } from './useHashRoute';

// Views not needed for the first paint of a plain browser load separately (the list is the start).
const views = () => import('./views');
const MessageDetail = lazy(() => views().then((m) => ({ default: m.MessageDetail })));
const TriageView = lazy(() => views().then((m) => ({ default: m.TriageView })));
const ThisLetter = lazy(() => views().then((m) => ({ default: m.ThisLetter })));
// Statistics (charts) and admin are their own chunks: most people never open them.
const StatsView = lazy(() => import('./stats/StatsView'));
const AdminView = lazy(() => import('./admin/AdminView'));

// The provider fills the pane. Inline, not a class: FluentProvider copies its className onto every
// portal (tooltips, dialogs, the picker's list), and a 100 % height there covers the pane in white.
const PROVIDER_STYLE = { height: '100%' } as const;

const useStyles = makeStyles({
  shell: {
    display: 'flex',
    flexDirection: 'column',
    minHeight: '100%',
    backgroundColor: tokens.colorNeutralBackground1,
    // Wide panes (a browser tab in demo mode) keep a readable column.
    maxWidth: '760px',
    margin: '0 auto',
    boxSizing: 'border-box',
  },
  main: { display: 'flex', flexDirection: 'column', flexGrow: 1, minHeight: 0 },
  meError: { padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM} 0` },
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
});

export interface AppProps {
  office: OfficeInfo;
  api?: ApiClient;
}

/** The task pane, in the host's theme (Outlook's light/dark, high contrast; see office/theme.ts). */
export function App({ office, api }: AppProps) {
  const { kind, theme } = useHostTheme();
  return (
    <FluentProvider theme={theme} style={PROVIDER_STYLE} data-theme={kind}>
      <ErrorBoundary>
        <ApiProvider client={api}>
          <Shell office={office} />
        </ApiProvider>
      </ErrorBoundary>
    </FluentProvider>
  );
}

function useMe() {
  const api = useApi();
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    api.me(controller.signal).then(setMe, (e) => { if (!isAbortError(e)) setError(e); });
    return () => controller.abort();
  }, [api, attempt]);

  return { me, error, retry: useCallback(() => setAttempt((n) => n + 1), []) };
}

/** How many letters wait in triage, for the tab's badge. Decorative: a failure leaves the badge off. */
function useTriageTotal() {
  const api = useApi();
  const [total, setTotal] = useState<number | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api.listTriage({ limit: 1 }, controller.signal).then((r) => setTotal(r.total), () => {});
    return () => controller.abort();
  }, [api]);
  return [total, setTotal] as const;
}

function Loading() {
  const s = useStyles();
  const { t } = useTranslation();
  return <div className={s.center}><Spinner size="small" label={t('app.loading')} data-testid="view-loading" /></div>;
}

function Shell({ office }: { office: OfficeInfo }) {
  const s = useStyles();
  const { t } = useTranslation();
  const { me, error, retry } = useMe();
  // "This letter" exists inside Outlook only; a plain browser starts with the list as before.
  const inOutlook = office.host != null && hasMailbox();
  const { route, section, openedFrom, go, openMessage, back } = useHashRoute(inOutlook);
  const [triageTotal, setTriageTotal] = useTriageTotal();
  const session = useMemo(() => ({ me, failed: error != null }), [me, error]);

  const select = useCallback((next: Section) => {
    go(next === 'this' ? { view: 'this' } : next === 'triage' ? { view: 'triage' } : next === 'stats' ? { view: 'stats' }
      : next === 'admin' ? { view: 'admin', page: 'rules' } : { view: 'list' });
  }, [go]);
  const showList = useCallback(() => go({ view: 'list' }), [go]);
  const openFromTriage = useCallback((id: string) => openMessage(id, 'triage'), [openMessage]);
  // The queue unmounts behind an open letter (unlike the list): where its focus goes back to lives here.
  const triageReturn = useRef<TriageReturn | null>(null);
  const openFromList = useCallback((id: string) => openMessage(id, 'letters'), [openMessage]);

  return (
    <SessionProvider value={session}>
      <div className={s.shell} data-testid="taskpane" data-office-host={office.host ?? 'none'}>
        <Header me={me} meFailed={error != null} />
        <NoticeBanner />
        <Nav section={section} showThis={inOutlook} showAdmin={!!me?.roles.some((r) => r === 'admin' || r === 'operator')} triageTotal={triageTotal} onSelect={select} />
        {error != null && (
          <div className={s.meError}><ErrorBar title={t('errors.loadMe')} error={error} onRetry={retry} /></div>
        )}
        <main className={s.main}>
          {/* The list stays mounted behind an open letter, so search, filter and scroll survive. */}
          <MessageList active={route.view === 'list'} onOpen={openFromList} />
          <Suspense fallback={<Loading />}>
            {route.view === 'message' && (
              <MessageDetail
                key={route.id}
                id={route.id}
                onBack={back}
                backLabel={openedFrom === 'triage' ? t('detail.backToTriage') : t('detail.back')}
                focusOnOpen
              />
            )}
            {route.view === 'triage' && <TriageView onOpen={openFromTriage} onTotal={setTriageTotal} returnFocus={triageReturn} />}
            {route.view === 'this' && <ThisLetter onShowList={showList} />}
            {route.view === 'stats' && <StatsView />}
            {route.view === 'admin' && <AdminView page={route.page} onPage={(page) => go({ view: 'admin', page })} />}
          </Suspense>
        </main>
      </div>
    </SessionProvider>
  );
}
