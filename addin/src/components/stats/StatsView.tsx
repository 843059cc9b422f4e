// Statistics: placeholder wired into navigation; replaced by the statistics view (issue #6).
export default function StatsView() {
  return <div data-testid="stats-view" />;
}
