export { DEFAULT_FAULTS, FAULT_NAMES, HARNESS_USAGE, SettingsError, parseHarnessSettings } from './harness-settings.ts';
export type { FaultName, HarnessSettings } from './harness-settings.ts';
export { LoadDriver } from './load-driver.ts';
export type { AcknowledgedOrder, CallRecord, LoadDriverOptions } from './load-driver.ts';
export {
  checkAcknowledgedPresent,
  checkCheckoutsFinished,
  checkCheckoutsFinishedWithin,
  checkLedgerBalanced,
  checkNoOversell,
  checkOneOrderPerKey,
  checkPaymentsMatchOrders,
  checkProjectionCaughtUp,
} from './invariants.ts';
export type { DomainDatabases, InvariantResult } from './invariants.ts';
export { checkStillAudits } from './audit-check.ts';
export { loadFixtures, runFaults, stats } from './run-faults.ts';
export type { CallStats, FaultReport, HarnessReport } from './run-faults.ts';
export { renderReport } from './report.ts';
export { resolveStackTarget } from './stack-target.ts';
export type { StackTarget } from './stack-target.ts';
export { callTool, postRpc } from './tool-caller.ts';
export type { CallOutcome } from './tool-caller.ts';
