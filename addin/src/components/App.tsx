import { FluentProvider, makeStyles, tokens, webLightTheme } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../../../shared/src/contracts';
import { isAbortError, type ApiClient } from '../api/client';
import { ApiProvider, useApi } from '../api/context';
import type { OfficeInfo } from '../office/ready';
import { ErrorBar } from './ErrorBar';
import { ErrorBoundary } from './ErrorBoundary';
import { Header } from './Header';
import { MessageDetail } from './MessageDetail';
import { MessageList } from './MessageList';
import { useHashRoute } from './useHashRoute';

const useStyles = makeStyles({
  provider: { height: '100%' },
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
});

export interface AppProps {
  office: OfficeInfo;
  api?: ApiClient;
}

/** The task pane. (webLightTheme for now; following Outlook's theme is a later issue.) */
export function App({ office, api }: AppProps) {
  const s = useStyles();
  return (
    <FluentProvider theme={webLightTheme} className={s.provider}>
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

function Shell({ office }: { office: OfficeInfo }) {
  const s = useStyles();
  const { t } = useTranslation();
  const { me, error, retry } = useMe();
  const { route, openMessage, showList } = useHashRoute();

  return (
    <div className={s.shell} data-testid="taskpane" data-office-host={office.host ?? 'none'}>
      <Header me={me} meFailed={error != null} />
      {error != null && (
        <div className={s.meError}><ErrorBar title={t('errors.loadMe')} error={error} onRetry={retry} /></div>
      )}
      <main className={s.main}>
        {/* The list stays mounted behind an open letter, so search, filter and scroll survive. */}
        <MessageList active={route.view === 'list'} onOpen={openMessage} />
        {route.view === 'message' && <MessageDetail key={route.id} id={route.id} onBack={showList} />}
      </main>
    </div>
  );
}
