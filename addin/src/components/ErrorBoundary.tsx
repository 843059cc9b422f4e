// Last line of defence: a rendering error shows a message and a reload button, not a blank pane.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import i18next from 'i18next';

export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Brevdue task pane crashed', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div style={{ padding: 12 }}>
        <MessageBar intent="error" layout="multiline" data-testid="crash" role="alert">
          <MessageBarBody>
            <MessageBarTitle>{i18next.t('app.crashTitle')}</MessageBarTitle>
            {i18next.t('app.crashHint')} ({this.state.error.message})
          </MessageBarBody>
          <MessageBarActions>
            <Button size="small" onClick={() => window.location.reload()}>{i18next.t('app.reload')}</Button>
          </MessageBarActions>
        </MessageBar>
      </div>
    );
  }
}
