export { approvalRequiredSchema } from './approval-required.ts';
export { SCOPES } from './scopes.ts';
export type { ContractInput, ContractOutput } from './contract-types.ts';
export type { Scope } from './scopes.ts';
export {
  MAX_TOOL_DESCRIPTION_LENGTH,
  MAX_TOOL_NAME_LENGTH,
  defineTool,
  listedDescription,
  toolGuideUri,
  defineResource,
  definePrompt,
} from './tool-contract.ts';
export type { DomainContract, IdempotencyMode, PromptContract, ResourceContract, ToolAlias, ToolAnnotations, ToolContract } from './tool-contract.ts';
export {
  currencySchema,
  cursorSchema,
  dryRunSchema,
  expectedVersionSchema,
  idempotencyKeySchema,
  limitSchema,
  moneySchema,
  nextCursorSchema,
  replayedSchema,
} from './schemas.ts';
export { MAX_QUERY_SQL_ROWS, defineQuerySqlTool, querySqlInputSchema, querySqlOutputSchema, sqlRelationNames } from './query-sql-tool.ts';
export type { QuerySqlToolContract, QuerySqlToolOptions, SqlView, SqlViewColumn } from './query-sql-tool.ts';
