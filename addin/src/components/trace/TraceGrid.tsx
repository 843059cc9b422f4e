// The track & trace results as a Fluent DataGrid. The server sorts and pages; the grid only shows
// the order (sortState) and reports header clicks. Wide pane: one column per field; narrow pane
// (< 600 px): one "letter" column holding them all, with the order chosen in the filters.
import {
  Caption1, DataGrid, DataGridBody, DataGridCell, DataGridHeader, DataGridHeaderCell, DataGridRow, Text,
  createTableColumn, makeStyles, mergeClasses, tokens, type DataGridProps, type TableColumnDefinition,
} from '@fluentui/react-components';
import type { KeyboardEvent } from 'react';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageSort, MessageSummary } from '../../../../shared/src/contracts';
import { formatDateTime, formatListDate } from '../../format';
import { LetterMeta, MessageRow } from '../MessageRow';
import { MessageStatusBadge } from '../StatusBadge';
import { useLocale } from '../useLocale';

const useStyles = makeStyles({
  grid: { minWidth: 0 },
  row: {
    cursor: 'pointer',
    ':focus-visible': { outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  receivedAt: { flexGrow: 0, flexShrink: 0, flexBasis: '112px' },
  sender: { flexGrow: 1, flexBasis: '140px', minWidth: 0 },
  label: { flexGrow: 2, flexBasis: '200px', minWidth: 0 },
  cvr: { flexGrow: 0, flexShrink: 0, flexBasis: '150px', minWidth: 0 },
  status: { flexGrow: 0, flexShrink: 0, flexBasis: '120px' },
  letter: { flexGrow: 1, minWidth: 0 },
  clip: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', minWidth: 0 },
  labelCell: { display: 'flex', flexDirection: 'column', minWidth: 0, paddingBlock: tokens.spacingVerticalXS },
  meta: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalM, color: tokens.colorNeutralForeground3 },
  muted: { color: tokens.colorNeutralForeground3 },
});

type ColumnId = MessageSort | 'letter';
const serverOrder = (_a: MessageSummary, _b: MessageSummary) => 0;
type SortState = NonNullable<DataGridProps['sortState']>;

export function TraceGrid({ items, narrow, showCvr, sort, dir, onSort, onOpen, busy }: {
  items: MessageSummary[];
  narrow: boolean;
  showCvr: boolean;
  sort: MessageSort;
  dir: 'asc' | 'desc';
  onSort: (sort: MessageSort, dir: 'asc' | 'desc') => void;
  onOpen: (id: string) => void;
  busy: boolean;
}) {
  const s = useStyles();
  const { t } = useTranslation();
  const locale = useLocale();

  const columns = useMemo((): TableColumnDefinition<MessageSummary>[] => {
    // The server sorts. A two-argument `compare` is what marks a column sortable to the grid; returning
    // 0 keeps the server's order (the grid's sort is stable).
    if (narrow) {
      return [createTableColumn<MessageSummary>({
        columnId: 'letter',
        renderHeaderCell: () => `${t('trace.column.letter')} · ${t(`trace.sort.${sort}_${dir}`)}`,
        renderCell: (m) => <MessageRow message={m} showCvr={showCvr} />,
      })];
    }
    return [
      createTableColumn<MessageSummary>({
        columnId: 'receivedAt',
        compare: serverOrder,
        renderHeaderCell: () => t('trace.column.receivedAt'),
        renderCell: (m) => {
          const d = formatListDate(m.receivedAt, locale);
          return (
            <Caption1 title={formatDateTime(m.receivedAt, locale)}>
              <time dateTime={m.receivedAt}>{d.kind === 'time' ? t('list.todayAt', { time: d.text }) : d.text}</time>
            </Caption1>
          );
        },
      }),
      createTableColumn<MessageSummary>({
        columnId: 'sender',
        compare: serverOrder,
        renderHeaderCell: () => t('trace.column.sender'),
        renderCell: (m) => <Text weight="semibold" className={s.clip} title={`${m.senderName} (${m.senderId})`} data-testid="message-sender">{m.senderName}</Text>,
      }),
      createTableColumn<MessageSummary>({
        columnId: 'label',
        compare: serverOrder,
        renderHeaderCell: () => t('trace.column.label'),
        renderCell: (m) => (
          <div className={s.labelCell}>
            <Text className={s.clip} title={m.label} data-testid="message-label">{m.label}</Text>
            <Caption1 as="span" className={s.meta}><LetterMeta message={m} /></Caption1>
          </div>
        ),
      }),
      createTableColumn<MessageSummary>({
        columnId: 'cvr',
        compare: serverOrder,
        renderHeaderCell: () => t('trace.column.cvr'),
        renderCell: (m) => (
          <div className={s.labelCell}>
            <Caption1 className={s.clip} title={m.cvrName}>{m.cvrName}</Caption1>
            <Caption1 className={s.muted}>{m.cvr}</Caption1>
          </div>
        ),
      }),
      createTableColumn<MessageSummary>({
        columnId: 'status',
        compare: serverOrder,
        renderHeaderCell: () => t('trace.column.status'),
        renderCell: (m) => <MessageStatusBadge status={m.status} />,
      }),
    ];
  }, [narrow, showCvr, sort, dir, t, locale, s]);

  const sortState: SortState = { sortColumn: narrow ? undefined : sort, sortDirection: dir === 'asc' ? 'ascending' : 'descending' };
  const changeSort = (_e: unknown, next: SortState) => {
    const column = next.sortColumn as ColumnId | undefined;
    if (!column || column === 'letter') return;
    // A new column starts in its natural direction (newest first for time); the same column flips.
    if (column !== sort) onSort(column, column === 'receivedAt' ? 'desc' : 'asc');
    else onSort(column, dir === 'asc' ? 'desc' : 'asc');
  };
  // Enter or Space on any cell of a row opens the letter (cells are the grid's focus stops).
  const openOnKey = (e: KeyboardEvent, id: string) => {
    if ((e.key === 'Enter' || e.key === ' ') && !(e.target as HTMLElement).closest('button, a, input, select')) {
      e.preventDefault();
      onOpen(id);
    }
  };

  return (
    <DataGrid
      items={items}
      columns={columns}
      sortable={!narrow}
      sortState={sortState}
      onSortChange={changeSort}
      getRowId={(m: MessageSummary) => m.id}
      focusMode="cell"
      className={s.grid}
      aria-label={t('trace.results')}
      aria-busy={busy}
      data-testid="trace-grid"
    >
      <DataGridHeader>
        <DataGridRow>
          {({ renderHeaderCell, columnId }) => (
            <DataGridHeaderCell className={s[columnId as ColumnId]} data-testid={`sort-${String(columnId)}`}>
              {renderHeaderCell()}
            </DataGridHeaderCell>
          )}
        </DataGridRow>
      </DataGridHeader>
      <DataGridBody<MessageSummary>>
        {({ item, rowId }) => (
          <DataGridRow<MessageSummary>
            key={rowId}
            className={s.row}
            onClick={() => onOpen(item.id)}
            onKeyDownCapture={(e: KeyboardEvent) => openOnKey(e, item.id)}
            aria-label={t('list.openMessage', { label: item.label })}
            data-testid="message-row"
            data-message-id={item.id}
            data-status={item.status}
          >
            {({ renderCell, columnId }) => (
              <DataGridCell className={mergeClasses(s[columnId as ColumnId])}>{renderCell(item)}</DataGridCell>
            )}
          </DataGridRow>
        )}
      </DataGridBody>
    </DataGrid>
  );
}
