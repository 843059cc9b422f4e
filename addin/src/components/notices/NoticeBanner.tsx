// Service notice banner: placeholder wired into the shell; replaced by the notices feature (issue #6).
export function NoticeBanner() {
  return null;
}
