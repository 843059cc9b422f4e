// Demo letters from private senders, who reach companies through e-Boks and mit.dk (NgDP carries
// public-authority mail only).
import { minimalPdf } from './letters';
import type { EboksInjectInput } from '../simulators/eboks';
import type { MitdkInjectInput } from '../simulators/mitdk';

export function demoPrivateLetters(): { eboks: EboksInjectInput; mitdk: MitdkInjectInput } {
  return {
    eboks: {
      sender: { name: 'Nykredit', id: '12719280' },
      subject: 'Rentetilpasning af erhvervslån pr. 1. januar',
      documents: [{ filename: 'Rentetilpasning.pdf', content: minimalPdf('Rentetilpasning af erhvervslån').toString('base64') }],
    },
    mitdk: {
      sender: { name: 'PensionDanmark', id: '26749077' },
      subject: 'Årsoversigt over firmapensionsordning 2026',
      documents: [{ filename: 'Årsoversigt.pdf', content: minimalPdf('Årsoversigt firmapension').toString('base64') }],
    },
  };
}
