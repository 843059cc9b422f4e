// An organisation's routing settings: the assistant's auto-placement threshold.
import { organisations } from '../store/schema';
import { orgSettings } from '../store/org-settings';
import { routingSettingsSchema } from '../../../shared/src/contracts';

const settings = orgSettings(routingSettingsSchema, organisations.routingSettings, 'routingSettings');
export const parseRoutingSettings = settings.parse;
export const getRoutingSettings = settings.get;
export const putRoutingSettings = settings.put;
