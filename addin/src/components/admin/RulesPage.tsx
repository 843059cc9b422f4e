// Admin › Rules: placeholder; replaced by the rules page (issue #6).
export function RulesPage() {
  return <div data-testid="admin-rules-page" />;
}
