// A failed request, told to a person: what failed (title), why (the API's code and problems in the
// person's language, codes.ts; the API's own English message for a code the pane does not know), and
// a way to try again. Never a blank pane.
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { apiErrorText, type Translate } from '../codes';

export function describeError(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    if (error.kind === 'network') return t('errors.network');
    if (error.kind === 'invalid') return t('errors.invalidResponse');
    if (error.fromServer && error.message) return apiErrorText(error, t as unknown as Translate);
    return t('errors.http', { status: error.status ?? '?' });
  }
  return error instanceof Error && error.message ? error.message : t('errors.network');
}

export function ErrorBar({ title, error, onRetry }: { title: string; error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <MessageBar intent="error" layout="multiline" data-testid="error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        <span data-testid="error-message">{describeError(error, t)}</span>
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button size="small" onClick={onRetry}>{t('errors.retry')}</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
