// The handful of icons the pane needs, as inline SVG (Fluent System Icons style, 20px grid), so the
// bundle does not pull in an icon package.
import type { SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement>;

function Svg({ children, ...props }: IconProps) {
  return (
    <svg width="1em" height="1em" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" focusable="false" {...props}>
      {children}
    </svg>
  );
}

export const ArrowLeftIcon = (p: IconProps) => (
  <Svg {...p}><path d="M9.16 16.87a.5.5 0 1 0 .67-.74L3.67 10.5H17.5a.5.5 0 0 0 0-1H3.67l6.16-5.63a.5.5 0 0 0-.67-.74L2.24 9.44a.75.75 0 0 0 0 1.12l6.92 6.31Z" /></Svg>
);

export const RefreshIcon = (p: IconProps) => (
  <Svg {...p}><path d="M3.07 9.05a6.96 6.96 0 0 1 12.47-3.73l.46.6V3.5a.5.5 0 0 1 1 0v4a.5.5 0 0 1-.5.5h-4a.5.5 0 0 1 0-1h2.9l-.65-.86A5.96 5.96 0 0 0 4.06 9.17a.5.5 0 1 1-.99-.12Zm13.3 1.4a.5.5 0 0 1 .56.43 6.96 6.96 0 0 1-12.47 3.8l-.46-.6v2.42a.5.5 0 0 1-1 0v-4c0-.28.22-.5.5-.5h4a.5.5 0 0 1 0 1h-2.9l.65.86a5.96 5.96 0 0 0 10.69-2.98.5.5 0 0 1 .43-.43Z" /></Svg>
);

export const AttachIcon = (p: IconProps) => (
  <Svg {...p}><path d="M4.83 10.48 10.5 4.8a2.5 2.5 0 0 1 3.53 3.53l-6.36 6.37a1 1 0 0 1-1.42-1.42l5.66-5.66a.5.5 0 0 0-.7-.7L5.54 12.6a2 2 0 1 0 2.83 2.83l6.36-6.37a3.5 3.5 0 1 0-4.95-4.95L4.12 9.78a.5.5 0 0 0 .7.7Z" /></Svg>
);

export const ClockIcon = (p: IconProps) => (
  <Svg {...p}><path d="M10 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16Zm0 1a7 7 0 1 0 0 14 7 7 0 0 0 0-14Zm-.5 2a.5.5 0 0 1 .5.41V10h2.5a.5.5 0 0 1 .09 1H9.5a.5.5 0 0 1-.5-.41V5.5c0-.28.22-.5.5-.5Z" /></Svg>
);

export const DocumentIcon = (p: IconProps) => (
  <Svg {...p}><path d="M6 2a2 2 0 0 0-2 2v12c0 1.1.9 2 2 2h8a2 2 0 0 0 2-2V7.41c0-.4-.16-.78-.44-1.06l-3.91-3.91A1.5 1.5 0 0 0 10.59 2H6ZM5 4a1 1 0 0 1 1-1h4v3.5c0 .83.67 1.5 1.5 1.5H15v8a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V4Zm9.8 3h-3.3a.5.5 0 0 1-.5-.5V3.2L14.8 7Z" /></Svg>
);

export const MailIcon = (p: IconProps) => (
  <Svg {...p}><path d="M15.5 4A2.5 2.5 0 0 1 18 6.5v8a2.5 2.5 0 0 1-2.5 2.5h-11A2.5 2.5 0 0 1 2 14.5v-8A2.5 2.5 0 0 1 4.5 4h11ZM17 7.96l-6.75 3.97a.5.5 0 0 1-.42.04l-.08-.04L3 7.96v6.54c0 .83.67 1.5 1.5 1.5h11c.83 0 1.5-.67 1.5-1.5V7.96ZM15.5 5h-11C3.67 5 3 5.67 3 6.5v.3l7 4.12 7-4.12v-.3c0-.83-.67-1.5-1.5-1.5Z" /></Svg>
);

export const TeamsIcon = (p: IconProps) => (
  <Svg {...p}><path d="M13.5 5a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3Zm0 1a2.5 2.5 0 1 1 0-5 2.5 2.5 0 0 1 0 5ZM7.5 6a2 2 0 1 0 0-4 2 2 0 0 0 0 4Zm0 1a3 3 0 1 1 0-6 3 3 0 0 1 0 6ZM3 9.5c0-.28.22-.5.5-.5h8c.28 0 .5.22.5.5v4.5a4.5 4.5 0 0 1-9 0V9.5Zm1 .5v4a3.5 3.5 0 0 0 7 0v-4H4Zm9 0h3.5c.28 0 .5.22.5.5V14a3.5 3.5 0 0 1-4.63 3.31c.25-.27.47-.57.66-.9A2.5 2.5 0 0 0 16 14v-3h-3v-1Z" /></Svg>
);

export const SearchEmptyIcon = (p: IconProps) => (
  <Svg {...p}><path d="M8.5 3a5.5 5.5 0 0 1 4.23 9.02l4.12 4.13a.5.5 0 0 1-.63.76l-.07-.06-4.13-4.12A5.5 5.5 0 1 1 8.5 3Zm0 1a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9Z" /></Svg>
);

export const DownloadIcon = (p: IconProps) => (
  <Svg {...p}><path d="M15.5 17a.5.5 0 0 1 .09 1H4.5a.5.5 0 0 1-.09-1H15.5ZM10 2a.5.5 0 0 1 .5.41V14.3l3.64-3.65a.5.5 0 0 1 .64-.06l.07.06c.17.17.2.44.06.63l-.06.07-4.5 4.5a.5.5 0 0 1-.63.06l-.07-.06-4.5-4.5a.5.5 0 0 1 .63-.76l.07.06 3.65 3.64V2.5c0-.28.22-.5.5-.5Z" /></Svg>
);

export const SendIcon = (p: IconProps) => (
  <Svg {...p}><path d="M2.18 2.11a.5.5 0 0 1 .54-.06l15 7.5a.5.5 0 0 1 0 .9l-15 7.5a.5.5 0 0 1-.7-.58L3.98 10 2.02 2.63a.5.5 0 0 1 .16-.52Zm2.7 8.39-1.61 6.06L16.38 10 3.27 3.44 4.88 9.5h6.62a.5.5 0 1 1 0 1H4.88Z" /></Svg>
);

export const RerouteIcon = (p: IconProps) => (
  <Svg {...p}><path d="M11.15 3.15a.5.5 0 0 1 .7 0l4 4a.5.5 0 0 1 0 .7l-4 4a.5.5 0 0 1-.7-.7L14.29 8H7.5A3.5 3.5 0 0 0 4 11.5v4a.5.5 0 0 1-1 0v-4A4.5 4.5 0 0 1 7.5 7h6.79l-3.14-3.15a.5.5 0 0 1 0-.7Z" /></Svg>
);

export const InboxIcon = (p: IconProps) => (
  <Svg {...p}><path d="M6 3a3 3 0 0 0-3 3v8a3 3 0 0 0 3 3h8a3 3 0 0 0 3-3V6a3 3 0 0 0-3-3H6ZM4 6c0-1.1.9-2 2-2h8a2 2 0 0 1 2 2v5h-3.5a.5.5 0 0 0-.5.5 2 2 0 1 1-4 0 .5.5 0 0 0-.5-.5H4V6Zm0 6h3.04a3 3 0 0 0 5.92 0H16v2a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-2Z" /></Svg>
);
