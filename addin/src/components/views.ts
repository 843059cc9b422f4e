// The views loaded after the first paint, behind ONE dynamic import (App.tsx): with several, the
// bundler moves code they share (picker, dialogs, tooltips) into the chunk loaded at start.
export { MessageDetail } from './MessageDetail';
export { ThisLetter } from './ThisLetter';
export { TriageView } from './TriageView';
