// An organisation's delivery settings: subject template, categories, dead-letter notices, reroute.
import { organisations } from '../store/schema';
import { orgSettings } from '../store/org-settings';
import { deliverySettingsSchema } from '../../../shared/src/contracts';

const settings = orgSettings(deliverySettingsSchema, organisations.deliverySettings, 'deliverySettings');
export const parseDeliverySettings = settings.parse;
export const getDeliverySettings = settings.get;
export const putDeliverySettings = settings.put;
