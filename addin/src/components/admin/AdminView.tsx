// Admin section: placeholder wired into navigation; replaced by the admin pages (issue #6).
import type { AdminPage } from '../useHashRoute';

export default function AdminView({ page }: { page: AdminPage; onPage: (page: AdminPage) => void }) {
  return <div data-testid={`admin-${page}`} />;
}
