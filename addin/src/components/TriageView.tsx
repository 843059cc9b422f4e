// The triage queue: letters no rule could place, oldest deadline first, each with why it is here and
// up to three suggestions from the assistant. One click on a suggestion places the letter; "choose
// other recipients" places it anywhere in the registry. A placed letter leaves the queue. A suggestion
// naming a recipient the operator's allow-list refuses now (the registry's `unusable`) is shown
// without its button, with the reason: the server would refuse the placement. So is one the assistant
// is less than ONE_CLICK_MIN_CONFIDENCE sure of: a button would invite a likely wrong click.
// Focus for keyboard users: "choose other recipients" moves it into the search field; after a placement
// it goes to the next letter's first action (or to the empty queue's message); back from a letter
// opened here, to that letter's title (or, placed meanwhile, to the next letter's first action).
import {
  Badge, Body1Strong, Button, Caption1, Link, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Spinner,
  Text, makeStyles, mergeClasses, tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState, type MutableRefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { Suggestion, TriageList } from '../../../shared/src/contracts';
import { ONE_CLICK_MIN_CONFIDENCE, offersOneClick } from '../../../shared/src/confidence';
import { ApiError, isAbortError } from '../api/client';
import { useApi } from '../api/context';
import { joinNames } from '../destinations';
import { formatConfidence, formatDate, formatDateTime, formatPercent, isPast } from '../format';
import { isLanguage } from '../i18n';
import { triageWhyLines, unusableText, type Translate } from '../codes';
import { ActionButton } from './ActionButton';
import { DestinationPicker } from './DestinationPicker';
import { EmptyState } from './EmptyState';
import { ErrorBar } from './ErrorBar';
import { describeActionError } from './LetterActions';
import { ClockIcon, InboxIcon, RefreshIcon } from './icons';
import { useDestinations } from './useDestinations';
import { useLocale } from './useLocale';

const PAGE_SIZE = 50;
type Item = TriageList['items'][number];
const oneClick = (sg: Suggestion) => offersOneClick(sg.confidence);

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', flexGrow: 1, minHeight: 0 },
  toolbar: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
  },
  grow: { flexGrow: 1, color: tokens.colorNeutralForeground3 },
  intro: { padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalS}`, color: tokens.colorNeutralForeground2 },
  bar: { margin: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalS}` },
  list: { listStyle: 'none', margin: 0, padding: `0 ${tokens.spacingHorizontalM} ${tokens.spacingVerticalXXL}`, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  card: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  busy: { opacity: 0.7 },
  top: { display: 'flex', alignItems: 'baseline', gap: tokens.spacingHorizontalS },
  sender: { flexGrow: 1, minWidth: 0, overflowWrap: 'anywhere' },
  date: { flexShrink: 0, color: tokens.colorNeutralForeground3 },
  label: { overflowWrap: 'anywhere', textAlign: 'left' },
  meta: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalM, rowGap: '2px', color: tokens.colorNeutralForeground3 },
  metaItem: { display: 'inline-flex', alignItems: 'center', gap: '4px' },
  overdue: { color: tokens.colorPaletteRedForeground1 },
  block: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  heading: { color: tokens.colorNeutralForeground2, fontWeight: tokens.fontWeightSemibold },
  why: { margin: 0, paddingLeft: '18px', color: tokens.colorNeutralForeground2, overflowWrap: 'anywhere' },
  suggestion: {
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
    padding: `${tokens.spacingVerticalXS} 0`,
  },
  suggestionTop: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  // Wraps rather than clips a long name at 360 px, also greyed out (a refused recipient: disabledFocusable).
  suggestionButton: { justifyContent: 'flex-start', textAlign: 'left', maxWidth: '100%', minWidth: 0, height: 'auto', minHeight: '32px', whiteSpace: 'normal', overflow: 'visible', overflowWrap: 'anywhere' },
  explanation: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
  suggestionName: { overflowWrap: 'anywhere' },
  unusable: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
  other: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  center: { display: 'flex', justifyContent: 'center', padding: tokens.spacingVerticalXXL },
  more: { display: 'flex', justifyContent: 'center', paddingBottom: tokens.spacingVerticalXXL },
});

interface QueueState {
  items: Item[];
  total: number;
  loaded: boolean;
  loading: boolean;
  loadingMore: boolean;
  error: unknown;
}

function useTriageQueue(onTotal: (n: number) => void) {
  const api = useApi();
  const [state, setState] = useState<QueueState>({ items: [], total: 0, loaded: false, loading: true, loadingMore: false, error: null });
  const current = useRef<AbortController | null>(null);
  const itemsRef = useRef<Item[]>([]);
  itemsRef.current = state.items;
  const totalRef = useRef(0);
  totalRef.current = state.total;

  const run = useCallback(async (mode: 'load' | 'more') => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setState((s) => ({ ...s, loading: mode === 'load', loadingMore: mode === 'more', error: null }));
    try {
      const offset = mode === 'more' ? itemsRef.current.length : 0;
      const page = await api.listTriage({ limit: PAGE_SIZE, offset }, controller.signal);
      if (controller.signal.aborted) return;
      const items = mode === 'more'
        ? [...itemsRef.current, ...page.items.filter((i) => !itemsRef.current.some((x) => x.message.id === i.message.id))]
        : page.items;
      setState({ items, total: page.total, loaded: true, loading: false, loadingMore: false, error: null });
      onTotal(page.total);
    } catch (e) {
      if (isAbortError(e) || controller.signal.aborted) return;
      setState((s) => ({ ...s, loading: false, loadingMore: false, error: e }));
    } finally {
      if (current.current === controller) current.current = null;
    }
  }, [api, onTotal]);

  useEffect(() => {
    void run('load');
    return () => current.current?.abort();
  }, [run]);

  const remove = useCallback((id: string) => {
    if (!itemsRef.current.some((i) => i.message.id === id)) return;
    const total = Math.max(0, totalRef.current - 1);
    totalRef.current = total;
    setState((s) => ({ ...s, items: s.items.filter((i) => i.message.id !== id), total }));
    onTotal(total);
  }, [onTotal]);

  return { state, reload: useCallback(() => void run('load'), [run]), loadMore: useCallback(() => void run('more'), [run]), remove };
}

interface Placed { id: string; label: string; names: string }

/** A card's first action, in this order; the letter's title link if none. */
const FIRST_ACTIONS = ['triage-place-suggestion', 'triage-choose-other', 'destination-search', 'triage-place-other', 'triage-open'];

function firstAction(card: Element): HTMLElement | null {
  for (const id of FIRST_ACTIONS) {
    const el = card.querySelector<HTMLElement>(`[data-testid="${id}"]:not([disabled])`);
    if (el) return el;
  }
  return null;
}

/** The letter opened from the queue and the letters after it then: where the focus goes back to. */
export interface TriageReturn { id: string; after: string[] }

export function TriageView({ onOpen, onTotal, returnFocus }: {
  onOpen: (id: string) => void;
  onTotal: (n: number) => void;
  /** Kept by the caller: this view unmounts while the letter is open (App.tsx). */
  returnFocus?: MutableRefObject<TriageReturn | null>;
}) {
  const s = useStyles();
  const { t } = useTranslation();
  const { state, reload, loadMore, remove } = useTriageQueue(onTotal);
  const [placed, setPlaced] = useState<Placed | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const emptyRef = useRef<HTMLDivElement>(null);
  const rootRef = useRef<HTMLElement>(null);
  // The position of a placed card whose focus is to move on once it has left the list.
  const focusAt = useRef<number | null>(null);

  const open = useCallback((id: string) => {
    if (returnFocus) {
      const ids = [...(listRef.current?.children ?? [])].map((c) => c.getAttribute('data-message-id') ?? '');
      const at = ids.indexOf(id);
      returnFocus.current = { id, after: at >= 0 ? ids.slice(at + 1) : [] };
    }
    onOpen(id);
  }, [onOpen, returnFocus]);

  // Back from that letter (the detail and its "back" link are gone, the focus is on <body>), once the
  // queue has loaded again: its card's title, or the first card after it still waiting, or the first
  // card. Someone who came back by a tab keeps the focus on the tab, as in the letters list.
  useEffect(() => {
    const back = returnFocus?.current;
    if (!back || state.loading) return;
    returnFocus!.current = null;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const cards = [...(listRef.current?.children ?? [])];
    const card = (id: string) => cards.find((c) => c.getAttribute('data-message-id') === id);
    const own = card(back.id)?.querySelector<HTMLElement>('[data-testid="triage-open"]');
    const next = back.after.map(card).find((c) => c !== undefined) ?? cards[0];
    const target = own ?? (next && firstAction(next)) ?? emptyRef.current ?? rootRef.current;
    target?.focus();
  }, [state.loading, returnFocus]);

  const onPlaced = useCallback((item: Item, names: string) => {
    const cards = [...(listRef.current?.children ?? [])];
    const card = cards.find((c) => c.getAttribute('data-message-id') === item.message.id);
    const active = document.activeElement;
    // Only when the focus was in the card (or lost): someone who moved on keeps their place.
    if (card && (!active || active === document.body || card.contains(active))) focusAt.current = cards.indexOf(card);
    remove(item.message.id);
    setPlaced({ id: item.message.id, label: item.message.label, names });
  }, [remove]);

  useEffect(() => {
    const at = focusAt.current;
    if (at == null) return;
    focusAt.current = null;
    const cards = [...(listRef.current?.children ?? [])];
    const next = cards[Math.min(at, cards.length - 1)];
    const target = (next && firstAction(next))
      ?? emptyRef.current
      ?? document.querySelector<HTMLElement>('[data-testid="triage-more"]')
      ?? rootRef.current;
    target?.focus();
  }, [state.items]);

  return (
    <section className={s.root} aria-label={t('triage.title')} data-testid="triage" ref={rootRef} tabIndex={-1}>
      <div className={s.toolbar}>
        <Caption1 className={s.grow} aria-live="polite" data-testid="triage-total">
          {state.loaded
            ? state.items.length < state.total
              ? t('triage.showing', { shown: state.items.length, total: state.total })
              : t('triage.count', { count: state.total })
            : ''}
        </Caption1>
        {state.loading && state.loaded && <Spinner size="extra-tiny" aria-label={t('app.loading')} />}
        <Button
          appearance="subtle"
          icon={<RefreshIcon />}
          onClick={reload}
          disabled={state.loading}
          aria-label={t('triage.refresh')}
          title={t('triage.refresh')}
          data-testid="triage-refresh"
        />
      </div>

      {placed && (
        <div className={s.bar}>
          <MessageBar intent="success" layout="multiline" role="status" data-testid="triage-placed">
            <MessageBarBody>
              <span data-testid="triage-placed-text">{t('triage.placed', { label: placed.label, names: placed.names })}</span>
            </MessageBarBody>
            <MessageBarActions
              containerAction={(
                <Button appearance="transparent" size="small" aria-label={t('actions.dismiss')} onClick={() => setPlaced(null)}>×</Button>
              )}
            >
              <Button size="small" onClick={() => open(placed.id)} data-testid="triage-placed-open">{t('triage.open')}</Button>
            </MessageBarActions>
          </MessageBar>
        </div>
      )}

      {state.error != null && (
        <div className={s.bar}><ErrorBar title={t('errors.loadTriage')} error={state.error} onRetry={reload} /></div>
      )}

      {!state.loaded && state.loading && (
        <div className={s.center}><Spinner size="small" label={t('app.loading')} data-testid="triage-loading" /></div>
      )}

      {state.loaded && state.items.length > 0 && <Text className={s.intro} size={200}>{t('triage.intro')}</Text>}

      {state.loaded && state.items.length === 0 && !state.loading && state.error == null && (
        <div ref={emptyRef} tabIndex={-1} data-testid="triage-empty">
          <EmptyState icon={<InboxIcon />} title={t('triage.empty')} hint={t('triage.emptyHint')} />
        </div>
      )}

      {state.items.length > 0 && (
        <ul className={s.list} aria-busy={state.loading} ref={listRef}>
          {state.items.map((item) => <TriageCard key={item.message.id} item={item} onPlaced={onPlaced} onOpen={open} onRefresh={reload} />)}
        </ul>
      )}

      {state.loaded && state.items.length < state.total && (
        <div className={s.more}>
          <Button onClick={loadMore} disabled={state.loadingMore} icon={state.loadingMore ? <Spinner size="tiny" /> : undefined} data-testid="triage-more">
            {t('triage.loadMore')}
          </Button>
        </div>
      )}
    </section>
  );
}

function TriageCard({ item, onPlaced, onOpen, onRefresh }: {
  item: Item;
  onPlaced: (item: Item, names: string) => void;
  onOpen: (id: string) => void;
  onRefresh: () => void;
}) {
  const s = useStyles();
  const { t, i18n } = useTranslation();
  const api = useApi();
  const locale = useLocale();
  const { destinations } = useDestinations();
  const m = item.message;
  const [placing, setPlacing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Open at once when no suggestion can be placed with a click.
  const [showOther, setShowOther] = useState(!item.suggestions.some(oneClick));
  // Who toggled the picker: the keyboard focus follows into it, and back to the button.
  const [toggled, setToggled] = useState(false);
  const chooseOther = useRef<HTMLButtonElement>(null);
  useEffect(() => { if (toggled && !showOther) chooseOther.current?.focus(); }, [toggled, showOther]);
  const [selected, setSelected] = useState<string[]>([]);
  const [tried, setTried] = useState(false);
  const lang = isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'da';
  const whyLines = triageWhyLines(item, t as unknown as Translate);
  const overdue = m.replyBy !== null && isPast(m.replyBy);

  const place = async (key: string, destinationIds: string[], names: string[]) => {
    if (placing) return;
    setPlacing(key);
    setError(null);
    try {
      await api.place(m.id, { destinationIds });
      onPlaced(item, joinNames(names, locale));
    } catch (e) {
      setError(e);
      setPlacing(null);
    }
  };

  /** Why a suggestion cannot be placed: its recipients the operator does not allow now, with the first one's reason; null when it can. */
  const unusableIn = (ids: string[]): string | null => {
    const refused = ids.map((id) => destinations.find((d) => d.id === id)).filter((d) => d?.unusable);
    if (refused.length === 0) return null;
    return t('triage.suggestionUnusable', {
      names: joinNames(refused.map((d) => d!.displayName), locale), reason: unusableText(refused[0]!.unusable!, t as unknown as Translate),
    });
  };

  const placeOther = () => {
    setTried(true);
    if (selected.length === 0) return;
    void place('other', selected, selected.map((id) => destinations.find((d) => d.id === id)?.displayName ?? id));
  };

  return (
    <li className={mergeClasses(s.card, placing != null && s.busy)} data-testid="triage-item" data-message-id={m.id} aria-busy={placing != null}>
      <div className={s.top}>
        <Body1Strong className={s.sender}>{m.senderName}</Body1Strong>
        <Caption1 className={s.date}><time dateTime={m.receivedAt} title={formatDateTime(m.receivedAt, locale)}>{formatDate(m.receivedAt, locale)}</time></Caption1>
      </div>
      <Link as="button" className={s.label} onClick={() => onOpen(m.id)} data-testid="triage-open">{m.label}</Link>
      <Caption1 as="span" className={s.meta}>
        <span>{m.cvrName}</span>
        {m.replyAllowed && m.replyBy && (
          <span className={mergeClasses(s.metaItem, overdue && s.overdue)}>
            <ClockIcon />
            {t(overdue ? 'list.replyOverdue' : 'list.replyBy', { date: formatDate(m.replyBy, locale) })}
          </span>
        )}
      </Caption1>

      {whyLines.length > 0 && (
        <div className={s.block}>
          <Caption1 className={s.heading}>{t('triage.why')}</Caption1>
          <ul className={s.why} data-testid="triage-why">
            {whyLines.map((w, i) => <li key={i}><Caption1>{w}</Caption1></li>)}
          </ul>
        </div>
      )}

      <div className={s.block}>
        <Caption1 className={s.heading}>{t('triage.suggestions')}</Caption1>
        {item.suggestions.length === 0 && <Caption1 className={s.explanation}>{t('triage.noSuggestions')}</Caption1>}
        {item.suggestions.map((sg, i) => (
          <SuggestionRow
            key={sg.destinationIds.join(',')}
            suggestion={sg}
            primary={i === 0}
            oneClick={oneClick(sg)}
            lang={lang}
            busy={placing === `s${i}`}
            disabled={placing != null}
            unusable={unusableIn(sg.destinationIds)}
            onPlace={() => void place(`s${i}`, sg.destinationIds, sg.destinations)}
          />
        ))}
        {item.suggestions.some((sg) => !oneClick(sg)) && (
          <Caption1 className={s.explanation} data-testid="triage-uncertain">
            {t('triage.uncertain', { percent: formatPercent(ONE_CLICK_MIN_CONFIDENCE, locale) })}
          </Caption1>
        )}
      </div>

      {showOther ? (
        <div className={s.other}>
          <DestinationPicker
            label={t('triage.chooseOther')}
            selected={selected}
            onChange={(ids) => { setSelected(ids); setError(null); }}
            disabled={placing != null}
            validation={tried && selected.length === 0 ? t('actions.chooseOne') : null}
            testId="triage-picker"
            autoFocus={toggled}
          />
          <div className={s.row}>
            <ActionButton
              appearance="primary"
              onClick={placeOther}
              disabled={placing != null}
              icon={placing === 'other' ? <Spinner size="tiny" /> : undefined}
              data-testid="triage-place-other"
            >
              {placing === 'other' ? t('triage.placing') : t('triage.place')}
            </ActionButton>
            {item.suggestions.length > 0 && (
              <Button appearance="subtle" onClick={() => { setToggled(true); setShowOther(false); }} disabled={placing != null}>{t('triage.hideOther')}</Button>
            )}
          </div>
        </div>
      ) : (
        <div className={s.row}>
          <Button ref={chooseOther} appearance="subtle" size="small" onClick={() => { setToggled(true); setShowOther(true); }} data-testid="triage-choose-other">{t('triage.chooseOther')}</Button>
        </div>
      )}

      {error != null && (
        <MessageBar intent="error" layout="multiline" role="alert" data-testid="triage-error">
          <MessageBarBody>
            <MessageBarTitle>{t('triage.placeFailed')}</MessageBarTitle>
            <span data-testid="triage-error-text">{describeActionError(error, t)}</span>
          </MessageBarBody>
          {/* Someone else placed it meanwhile: the queue is out of date. */}
          {error instanceof ApiError && error.code === 'not_in_triage' && (
            <MessageBarActions>
              <Button size="small" onClick={onRefresh} data-testid="triage-error-refresh">{t('triage.refresh')}</Button>
            </MessageBarActions>
          )}
        </MessageBar>
      )}
    </li>
  );
}

function SuggestionRow({ suggestion, primary, oneClick: withButton, lang, busy, disabled, unusable, onPlace }: {
  suggestion: Suggestion;
  primary: boolean;
  /** Sure enough for a one-click button; else the names only. */
  oneClick: boolean;
  lang: 'da' | 'en';
  busy: boolean;
  disabled: boolean;
  /** Why it cannot be placed now (a recipient the operator does not allow), or null. */
  unusable: string | null;
  onPlace: () => void;
}) {
  const s = useStyles();
  const { t } = useTranslation();
  const locale = useLocale();
  const names = joinNames(suggestion.destinations, locale);
  const confidence = formatConfidence(suggestion.confidence, locale);
  const percent = confidence.under ? t('triage.confidenceUnder', { percent: confidence.percent }) : confidence.percent;
  return (
    <div className={s.suggestion} data-testid="triage-suggestion" data-one-click={withButton}>
      <div className={s.suggestionTop}>
        {withButton ? (
          <ActionButton
            className={s.suggestionButton}
            appearance={primary ? 'primary' : 'secondary'}
            size="small"
            onClick={onPlace}
            disabled={disabled}
            unavailableReason={unusable}
            icon={busy ? <Spinner size="tiny" /> : undefined}
            data-testid="triage-place-suggestion"
            data-unusable={unusable !== null || undefined}
          >
            {busy ? t('triage.placing') : t('triage.placeIn', { names })}
          </ActionButton>
        ) : (
          <Text size={200} weight="semibold" className={s.suggestionName} data-testid="triage-suggestion-name">{names}</Text>
        )}
        <Badge appearance="tint" color={suggestion.confidence >= 0.75 ? 'success' : suggestion.confidence >= 0.5 ? 'informative' : 'subtle'} shape="rounded" data-testid="triage-confidence">
          {t('triage.confidence', { percent })}
        </Badge>
      </div>
      <Caption1 className={s.explanation} data-testid="triage-explanation">{suggestion.explanation[lang]}</Caption1>
      {unusable && <Caption1 className={s.unusable} data-testid="triage-suggestion-unusable">{unusable}</Caption1>}
    </div>
  );
}
