import type { DomainContract } from '@mcpfed/contract-common';
import { customerAddAddress } from './customer-add-address.ts';
import { customerAddNote } from './customer-add-note.ts';
import { customerAnonymize } from './customer-anonymize.ts';
import { customerCheckEligibility } from './customer-check-eligibility.ts';
import { customerCreate } from './customer-create.ts';
import { customerExportData } from './customer-export-data.ts';
import { customerGet } from './customer-get.ts';
import { customerQuerySql } from './customer-query-sql.ts';
import { customerRemoveAddress } from './customer-remove-address.ts';
import { customerSearch } from './customer-search.ts';
import { customerSetStatus } from './customer-set-status.ts';
import { customerTimeline } from './customer-timeline.ts';
import { customerUpdate } from './customer-update.ts';
import { customerChurnAnalysis, customerSupportBrief } from './prompts.ts';
import { customerResource, customerSchemaResource } from './resources.ts';

export {
  customerAddAddress,
  customerAddNote,
  customerAnonymize,
  customerCheckEligibility,
  customerCreate,
  customerExportData,
  customerGet,
  customerQuerySql,
  customerRemoveAddress,
  customerSearch,
  customerSetStatus,
  customerTimeline,
  customerUpdate,
  customerChurnAnalysis,
  customerSupportBrief,
  customerResource,
  customerSchemaResource,
};
export { CUSTOMER_SEARCH_SORTS } from './customer-search.ts';
export { CUSTOMER_UPDATABLE_FIELDS } from './customer-update.ts';
export { EXPORT_PAGE_MAX_BYTES, EXPORT_PAGE_MAX_ITEMS } from './customer-export-data.ts';
export { MAX_SQL_ROWS } from './customer-query-sql.ts';
export { ISO_COUNTRY_CODES } from './countries.ts';
export { CUSTOMER_SQL_RELATIONS, CUSTOMER_SQL_VIEWS } from './sql-views.ts';
export type { SqlView, SqlViewColumn } from './sql-views.ts';
export {
  ADDRESS_KINDS,
  CUSTOMER_EVENT_TYPES,
  CUSTOMER_STATUSES,
  CUSTOMER_TIERS,
  ELIGIBILITY_REASON_CODES,
  MAX_ADDRESSES_PER_CUSTOMER,
  SETTABLE_STATUSES,
  addressIdSchema,
  addressInputSchema,
  addressSchema,
  countrySchema,
  customerIdSchema,
  customerSchema,
  customerSummarySchema,
  emailSchema,
  noteSchema,
  orderStatsSchema,
  phoneSchema,
  timelineEventSchema,
} from './schemas.ts';
export type { AddressKind, CustomerEventType, CustomerStatus, CustomerTier, EligibilityReasonCode } from './schemas.ts';

/** Everything the customer domain offers, for registration, the router's catalog checks and the contract tests. */
export const customerContract: DomainContract = Object.freeze({
  domain: 'customer',
  tools: [
    customerGet,
    customerSearch,
    customerCreate,
    customerUpdate,
    customerSetStatus,
    customerAddAddress,
    customerRemoveAddress,
    customerAddNote,
    customerTimeline,
    customerCheckEligibility,
    customerExportData,
    customerAnonymize,
    customerQuerySql,
  ],
  resources: [customerResource, customerSchemaResource],
  prompts: [customerChurnAnalysis, customerSupportBrief],
});
