// Links from mails and cards into the task pane. The pane's routes are in
// addin/src/components/useHashRoute.ts: one letter is #/message/<id> (the pane also accepts the
// #/messages/<id> that mails sent before this carry).

/** The task pane's page for one letter, or undefined when the installation has no public URL. */
export function letterPaneUrl(publicUrl: string | undefined, letterId: string): string | undefined {
  return publicUrl ? `${publicUrl}/taskpane.html#/message/${encodeURIComponent(letterId)}` : undefined;
}
