export { SUB_DOMAINS, checkAppLayout } from './check-app-layout.ts';
export type { AppLayoutOptions } from './check-app-layout.ts';
export { MAX_SOURCE_LINES, checkSourceLength } from './check-source-length.ts';
export { checkStoreSignal } from './check-store-signal.ts';
export { findSdkImports } from './find-sdk-imports.ts';
export { isTestFile, listProductionFiles } from './list-production-files.ts';
