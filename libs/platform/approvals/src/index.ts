export { ApprovalGate } from './approval-gate.ts';
export type { ApprovalGateOptions, ApprovalRequest, ApprovalRequiredAnswer, ApprovalState } from './approval-gate.ts';
export { createApprovalPages } from './approval-pages.ts';
export type { ApprovalPagesOptions } from './approval-pages.ts';
export { statusOf } from './approval-record.ts';
export type { ApprovalItem, ApprovalRow, ApprovalStatus, ApprovalSummary, ApprovalTables, StoredApprovalStatus } from './approval-record.ts';
export { approvalsMigration } from './approvals-migration.ts';
export { serverApprovals } from './server-approvals.ts';
export type { ApprovalSettings, ServerApprovals } from './server-approvals.ts';
