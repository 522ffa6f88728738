export { ALL_MAX_TOKENS, MAX_DESCRIPTION_CHARS, PRESET_MAX_TOKENS, PRESET_MAX_TOOLS, catalogReport, formatReport, selectionOfPath } from './catalog-report.ts';
export type { ReportRow } from './catalog-report.ts';
export { FEDERATION_CONTRACTS, federationTools, toolsInView } from './federation-catalog.ts';
export { measureCatalog } from './measure-catalog.ts';
export type { CatalogFigures, TokenCount, ToolFigures } from './measure-catalog.ts';
