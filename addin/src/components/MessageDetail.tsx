import {
  Button, Caption1, Spinner, Subtitle2, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeliveryInfo, DocumentInfo, MessageDetail as Detail } from '../../../shared/src/contracts';
import { isAbortError } from '../api/client';
import { useApi } from '../api/context';
import { formatBytes, formatDateTime, isPast } from '../format';
import { isSettled } from '../letters';
import { requestedByText, type Translate } from '../codes';
import { saveDocument } from './download';
import { ErrorBar, describeError } from './ErrorBar';
import { ArrowLeftIcon, DocumentIcon, DownloadIcon, MailIcon, RefreshIcon, TeamsIcon } from './icons';
import { LetterActions } from './LetterActions';
import { ReplySection } from './reply/ReplySection';
import { LegalHold } from './LegalHold';
import { DeliveryStatusBadge, MessageStatusBadge } from './StatusBadge';
import { Timeline } from './Timeline';
import { useLocale } from './useLocale';

/** While a letter (or a new copy of it) is still on its way, the detail refreshes itself this often. */
const IN_FLIGHT_REFRESH_MS = 3_000;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', flexGrow: 1, minHeight: 0 },
  nav: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    minHeight: '40px',
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  body: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM} ${tokens.spacingVerticalXXL}`,
  },
  title: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, alignItems: 'flex-start' },
  // Focused by script only (tabIndex -1): no ring, as on the rule editor's heading.
  heading: { margin: 0, overflowWrap: 'anywhere', outlineStyle: 'none' },
  sub: { color: tokens.colorNeutralForeground3 },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  sectionTitle: { margin: 0 },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'minmax(88px, max-content) 1fr',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, lineHeight: tokens.lineHeightBase300 },
  def: { margin: 0, fontSize: tokens.fontSizeBase300, lineHeight: tokens.lineHeightBase300, overflowWrap: 'anywhere', minWidth: 0 },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  cards: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  card: {
    display: 'flex',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS}`,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  cardIcon: { flexShrink: 0, fontSize: '20px', color: tokens.colorBrandForeground1, paddingTop: '1px' },
  cardBody: { display: 'flex', flexDirection: 'column', gap: '2px', minWidth: 0, flexGrow: 1 },
  cardTop: { display: 'flex', alignItems: 'flex-start', justifyContent: 'space-between', gap: tokens.spacingHorizontalS },
  // Names wrap rather than truncate: in a 350px pane the end of a folder or file name matters.
  name: { overflowWrap: 'anywhere', minWidth: 0 },
  nowrap: { whiteSpace: 'nowrap' },
  muted: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  failure: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
  overdue: { color: tokens.colorPaletteRedForeground1 },
  empty: { color: tokens.colorNeutralForeground3 },
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
  errorBox: { padding: tokens.spacingHorizontalM },
  download: { flexShrink: 0, alignSelf: 'center' },
});

type State =
  | { status: 'loading' }
  | { status: 'error'; error: unknown; data?: Detail }
  | { status: 'ready'; data: Detail; refreshing: boolean };

function useMessage(id: string, initial?: Detail) {
  const api = useApi();
  const [state, setState] = useState<State>(initial ? { status: 'ready', data: initial, refreshing: false } : { status: 'loading' });
  const skipFirstLoad = useRef(initial !== undefined);
  const inFlight = useRef<AbortController | null>(null);

  const load = useCallback(async (quiet: boolean) => {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setState((s) => (quiet && s.status === 'ready' ? { ...s, refreshing: true } : quiet && s.status === 'error' && s.data ? s : { status: 'loading' }));
    try {
      const data = await api.getMessage(id, controller.signal);
      if (!controller.signal.aborted) setState({ status: 'ready', data, refreshing: false });
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted) return;
      setState((s) => ({ status: 'error', error, data: s.status === 'ready' ? s.data : undefined }));
    } finally {
      if (inFlight.current === controller) inFlight.current = null;
    }
  }, [api, id]);

  useEffect(() => {
    // Handed the letter already (the "This letter" lookup answers with it): no second request.
    if (skipFirstLoad.current) skipFirstLoad.current = false;
    else void load(false);
    return () => inFlight.current?.abort();
  }, [load]);

  // Follow a letter that is still travelling (also a new copy after resend or reroute).
  const settled = state.status === 'ready' && isSettled(state.data);
  useEffect(() => {
    if (state.status !== 'ready' || settled) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load(true);
    }, IN_FLIGHT_REFRESH_MS);
    return () => clearInterval(timer);
  }, [state.status, settled, load]);

  return { state, reload: () => void load(false), refresh: () => void load(true) };
}

export interface MessageDetailProps {
  id: string;
  /** Already loaded (e.g. by the Outlook item lookup): shown at once. */
  initial?: Detail;
  /** No back button without it (the "This letter" view). */
  onBack?: () => void;
  backLabel?: string;
  /** Opened by the person (from a list): the heading takes the focus once the letter shows. */
  focusOnOpen?: boolean;
}

export function MessageDetail({ id, initial, onBack, backLabel, focusOnOpen }: MessageDetailProps) {
  const s = useStyles();
  const { t } = useTranslation();
  const { state, reload, refresh } = useMessage(id, initial);
  const data = state.status === 'loading' ? undefined : state.data;
  const rootRef = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const focusPending = useRef(!!focusOnOpen);

  // The row that opened the letter is hidden now, so the focus is on <body>: start at the heading,
  // once, unless the person has already moved into the detail (e.g. to "back") while it loaded.
  const shown = data !== undefined;
  useEffect(() => {
    if (!shown || !focusPending.current) return;
    focusPending.current = false;
    const active = document.activeElement;
    if (active && active !== document.body && rootRef.current?.contains(active)) return;
    heading.current?.focus();
  }, [shown]);

  return (
    <section ref={rootRef} className={s.root} data-testid="message-detail" data-message-id={id}>
      <div className={s.nav}>
        {onBack ? (
          <Button appearance="subtle" icon={<ArrowLeftIcon />} onClick={onBack} data-testid="back">
            {backLabel ?? t('detail.back')}
          </Button>
        ) : <span />}
        {data && (
          <Button
            appearance="subtle"
            icon={state.status === 'ready' && state.refreshing ? <Spinner size="extra-tiny" /> : <RefreshIcon />}
            onClick={refresh}
            aria-label={t('detail.refresh')}
            title={t('detail.refresh')}
            data-testid="detail-refresh"
          />
        )}
      </div>

      {state.status === 'loading' && (
        <div className={s.center}><Spinner size="small" label={t('app.loading')} data-testid="detail-loading" /></div>
      )}

      {state.status === 'error' && (
        <div className={s.errorBox}>
          <ErrorBar title={t('errors.loadMessage')} error={state.error} onRetry={reload} />
        </div>
      )}

      {data && <DetailBody message={data} onChanged={refresh} heading={heading} />}
    </section>
  );
}

function DetailBody({ message: m, onChanged, heading }: { message: Detail; onChanged: () => void; heading: RefObject<HTMLHeadingElement> }) {
  const s = useStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const replyText = !m.replyAllowed
    ? t('detail.replyNotAllowed')
    : m.replyBy
      ? formatDateTime(m.replyBy, locale)
      : t('detail.replyNoDeadline');

  return (
    <div className={s.body}>
      <div className={s.title}>
        <MessageStatusBadge status={m.status} />
        {/* Subtitle1's look; Text because the preset does not take a ref. */}
        <Text as="h2" size={500} weight="semibold" ref={heading} tabIndex={-1} className={s.heading} data-testid="detail-heading">{m.label}</Text>
        <Caption1 className={s.sub}>
          {m.senderName} · <time dateTime={m.receivedAt}>{formatDateTime(m.receivedAt, locale)}</time>
        </Caption1>
      </div>

      <LetterActions message={m} onChanged={onChanged} focusFallback={heading} />
      <ReplySection message={m} onChanged={onChanged} focusFallback={heading} />
      <LegalHold message={m} onChanged={onChanged} />

      <section className={s.section} aria-labelledby="detail-facts">
        <Subtitle2 as="h3" id="detail-facts" className={s.sectionTitle}>{t('detail.details')}</Subtitle2>
        <dl className={s.facts} data-testid="detail-facts">
          <dt className={s.term}>{t('detail.sender')}</dt>
          <dd className={s.def}>{m.senderName}{m.senderId && <span className={`${s.muted} ${s.nowrap}`}> ({m.senderId})</span>}</dd>
          <dt className={s.term}>{t('detail.recipient')}</dt>
          <dd className={s.def}>{m.cvrName} <span className={`${s.muted} ${s.nowrap}`}>(CVR {m.cvr})</span></dd>
          <dt className={s.term}>{t('detail.received')}</dt>
          <dd className={s.def}><time dateTime={m.receivedAt}>{formatDateTime(m.receivedAt, locale)}</time></dd>
          <dt className={s.term}>{t('detail.provider')}</dt>
          <dd className={s.def}>{t(`provider.${m.provider}`)}</dd>
          <dt className={s.term}>{t('detail.replyBy')}</dt>
          <dd className={m.replyAllowed && m.replyBy && isPast(m.replyBy) ? `${s.def} ${s.overdue}` : s.def} data-testid="detail-reply">{replyText}</dd>
          {m.notification && (
            <>
              <dt className={s.term}>{t('detail.notification')}</dt>
              <dd className={s.def}>{m.notification}</dd>
            </>
          )}
          <dt className={s.term}>{t('detail.messageId')}</dt>
          <dd className={`${s.def} ${s.mono}`}>{m.memoUuid}</dd>
        </dl>
      </section>

      <section className={s.section} aria-labelledby="detail-documents">
        <Subtitle2 as="h3" id="detail-documents" className={s.sectionTitle}>
          {t('detail.documents')} ({m.documents.length})
        </Subtitle2>
        {m.documents.length === 0
          ? <Caption1 className={s.empty}>{t('detail.noDocuments')}</Caption1>
          : <ul className={s.cards}>{m.documents.map((d) => <DocumentCard key={d.id} messageId={m.id} doc={d} />)}</ul>}
      </section>

      <section className={s.section} aria-labelledby="detail-deliveries">
        <Subtitle2 as="h3" id="detail-deliveries" className={s.sectionTitle}>{t('detail.deliveries')}</Subtitle2>
        {m.deliveries.length === 0
          ? <Caption1 className={s.empty} data-testid="no-deliveries">{t('detail.noDeliveries')}</Caption1>
          : <ul className={s.cards}>{m.deliveries.map((d) => <DeliveryCard key={d.id} delivery={d} />)}</ul>}
      </section>

      <section className={s.section} aria-labelledby="detail-timeline">
        <Subtitle2 as="h3" id="detail-timeline" className={s.sectionTitle}>{t('detail.timeline')}</Subtitle2>
        {m.timeline.length === 0
          ? <Caption1 className={s.empty}>{t('detail.noTimeline')}</Caption1>
          : <Timeline events={m.timeline} />}
      </section>
    </div>
  );
}

function DocumentCard({ messageId, doc }: { messageId: string; doc: DocumentInfo }) {
  const s = useStyles();
  const { t } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      await saveDocument(api, messageId, doc);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className={s.card} data-testid="document-item">
      <span className={s.cardIcon}><DocumentIcon /></span>
      <div className={s.cardBody}>
        <Text size={300} className={s.name} data-testid="document-name">{doc.filename}</Text>
        <Caption1 className={s.muted}>{t(`documentRole.${doc.role}`)} · {formatBytes(doc.size, locale)}</Caption1>
        {error != null && (
          <Caption1 className={s.failure} role="alert" data-testid="document-error">
            {`${t('detail.downloadFailed', { name: doc.filename })}: ${describeError(error, t)}`}
          </Caption1>
        )}
      </div>
      <Button
        className={s.download}
        appearance="subtle"
        icon={busy ? <Spinner size="extra-tiny" /> : <DownloadIcon />}
        disabled={busy}
        onClick={() => void download()}
        aria-label={t('detail.download', { name: doc.filename })}
        title={t('detail.download', { name: doc.filename })}
        data-testid="document-download"
      />
    </li>
  );
}

function DeliveryCard({ delivery: d }: { delivery: DeliveryInfo }) {
  const s = useStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const where = [d.destination.mailbox, d.destination.folderPath].filter(Boolean).join(' › ');
  return (
    <li className={s.card} data-testid="delivery-item" data-status={d.status} data-reason={d.reason} data-destination-id={d.destination.id}>
      <span className={s.cardIcon} title={t(`destinationKind.${d.destination.kind}`)}>
        {d.destination.kind === 'teams_channel' ? <TeamsIcon /> : <MailIcon />}
      </span>
      <div className={s.cardBody}>
        <div className={s.cardTop}>
          <Text weight="semibold" size={300} className={s.name} data-testid="delivery-destination">
            {d.destination.displayName}
          </Text>
          <DeliveryStatusBadge status={d.status} />
        </div>
        {where && <Caption1 className={s.muted} data-testid="delivery-folder">{where}</Caption1>}
        {d.reason !== 'initial' && (
          <Caption1 className={s.muted} data-testid="delivery-reason" data-reason={d.reason}>
            {requestedByText(d.reason, d.requestedBy, t as unknown as Translate, 'detail.requestedBy')}
          </Caption1>
        )}
        <Caption1 className={s.muted}>
          {d.deliveredAt ? `${t('detail.deliveredAt', { date: formatDateTime(d.deliveredAt, locale) })} · ` : ''}
          {t('detail.attempts', { count: d.attempts })}
        </Caption1>
        {d.lastError && d.status !== 'delivered' && (
          <Caption1 className={s.failure}>{t('detail.lastError', { error: d.lastError })}</Caption1>
        )}
      </div>
    </li>
  );
}
