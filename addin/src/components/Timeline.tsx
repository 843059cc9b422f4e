import { Caption1, Text, makeStyles, mergeClasses, shorthands, tokens } from '@fluentui/react-components';
import { useTranslation } from 'react-i18next';
import type { TimelineEvent } from '../../../shared/src/contracts';
import { formatDateTime, sortTimeline } from '../format';
import { useLocale } from './useLocale';
import { actorText, eventDetail, eventNote, eventTitle, type Translate } from '../codes';

const useStyles = makeStyles({
  list: { listStyle: 'none', margin: 0, padding: 0 },
  item: {
    position: 'relative',
    paddingLeft: '22px',
    paddingBottom: tokens.spacingVerticalM,
    display: 'flex',
    flexDirection: 'column',
    gap: '1px',
    // The connecting line, left of every event but the last.
    '::before': {
      content: '""',
      position: 'absolute',
      left: '5px',
      top: '14px',
      bottom: '-2px',
      width: '2px',
      backgroundColor: tokens.colorNeutralStroke1,
    },
    ':last-child::before': { display: 'none' },
    ':last-child': { paddingBottom: 0 },
  },
  dot: {
    position: 'absolute',
    left: 0,
    top: '4px',
    width: '8px',
    height: '8px',
    borderRadius: '50%',
    border: `2px solid ${tokens.colorBrandStroke1}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  ok: { ...shorthands.borderColor(tokens.colorPaletteGreenBorderActive), backgroundColor: tokens.colorPaletteGreenBackground3 },
  bad: { ...shorthands.borderColor(tokens.colorPaletteRedBorderActive), backgroundColor: tokens.colorPaletteRedBackground3 },
  warn: { ...shorthands.borderColor(tokens.colorPaletteMarigoldBorderActive), backgroundColor: tokens.colorPaletteMarigoldBackground3 },
  head: { display: 'flex', flexWrap: 'wrap', alignItems: 'baseline', columnGap: tokens.spacingHorizontalS },
  time: { color: tokens.colorNeutralForeground3 },
  text: { color: tokens.colorNeutralForeground2, overflowWrap: 'anywhere' },
  actor: { color: tokens.colorNeutralForeground3 },
  note: { color: tokens.colorPaletteMarigoldForeground2, overflowWrap: 'anywhere' },
});

export function Timeline({ events }: { events: TimelineEvent[] }) {
  const s = useStyles();
  const { t, i18n } = useTranslation();
  const locale = useLocale();
  const tr = t as unknown as Translate;
  const lang = i18n.resolvedLanguage ?? i18n.language ?? 'da';

  return (
    <ol className={s.list} data-testid="timeline">
      {sortTimeline(events).map((event, i) => (
        <li key={`${event.at}-${event.type}-${i}`} className={s.item} data-testid="timeline-item" data-type={event.type}>
          <span
            className={mergeClasses(
              s.dot,
              event.type === 'delivered' && s.ok,
              event.type === 'delivery_failed' && s.bad,
              event.type === 'triage' && s.warn,
            )}
            aria-hidden="true"
          />
          <div className={s.head}>
            <Text weight="semibold" size={300} data-testid="timeline-label">{eventTitle(event, tr)}</Text>
            <Caption1 className={s.time}>
              <time dateTime={event.at}>{formatDateTime(event.at, locale, true)}</time>
            </Caption1>
          </div>
          {(() => {
            // The detail in the reader's language from the event's data; the stored English sentence for events without it.
            const detail = eventDetail(event, tr, lang) ?? event.text;
            return detail ? <Caption1 className={s.text} data-testid="timeline-text">{detail}</Caption1> : null;
          })()}
          {(() => {
            const note = eventNote(event, tr);
            return note ? <Caption1 className={s.note} data-testid="timeline-note">{note}</Caption1> : null;
          })()}
          {event.actor && event.actor !== 'system' && <Caption1 className={s.actor} data-testid="timeline-actor">{t('detail.actor', { actor: actorText(event.actor, tr) })}</Caption1>}
        </li>
      ))}
    </ol>
  );
}
