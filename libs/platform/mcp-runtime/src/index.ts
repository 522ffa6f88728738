export { AuditLog } from './audit-log.ts';
export type { AuditLogConfig } from './audit-log.ts';
export type { AuditOutcome, AuditRecord } from './audit-statements.ts';
export { auditIdentity } from './audit-identity.ts';
export type { AuditIdentity } from './audit-identity.ts';
export { DEFAULT_INPUT_LIMITS, checkInputText, inputTextError } from './input-text-check.ts';
export type { InputLimits, InputTextProblem } from './input-text-check.ts';
export { storableText } from './storable-text.ts';
export { onShutdownSignal } from './graceful-shutdown.ts';
export type { ShutdownConfig, ShutdownStep } from './graceful-shutdown.ts';
export { serveHttp } from './http-server.ts';
export type { HttpPages, HttpServerConfig, HttpServerHandle, ReadinessCheck } from './http-server.ts';
export { drainHttp, listenHttp } from './http-listener.ts';
export { MultiplexHttpTransport } from './http-transport.ts';
export type { MultiplexHttpTransportConfig } from './http-transport.ts';
export { RESOURCE_METADATA_PATH, createMcpHttpServer } from './operational-routes.ts';
export type { McpHttpServerOptions, OperationalRoutes, ReadinessReport } from './operational-routes.ts';
export { acceptMcpPost, authenticateMcpRequest, challengeMissingScopes, checkMcpPost, receiveMcpPost, sendJson, sendRpcError } from './mcp-post.ts';
export type { ReceivedMcpPost } from './mcp-post.ts';
export type { AcceptedMcpPost, McpPostConfig } from './mcp-post.ts';
export { IdempotencyStore, purgeIdempotencyRecordsMentioning } from './idempotency-store.ts';
export { McpHost, createMcpHost } from './mcp-host.ts';
export { CATALOG_INSTRUCTIONS } from './catalog-instructions.ts';
export type { McpHostConfig } from './mcp-host-config.ts';
export type { RequestAttachment } from './request-attachment.ts';
export type { ServerFactory } from './server-factory.ts';
export { promptBinder } from './prompt-binder.ts';
export { MAX_CLIENT_LOG_MESSAGES, clientLog } from './client-log.ts';
export type { ClientLog, ClientLogDetails } from './client-log.ts';
export { EMPTY_COMPLETION, MAX_COMPLETION_VALUES, completeArgument } from './complete-argument.ts';
export type { CompletionResult } from './complete-argument.ts';
export { LOG_LEVELS, META_LOG_LEVEL, isLogLevel, logLevelPasses } from './log-level.ts';
export type { LogLevel } from './log-level.ts';
export { LogLevelMemory } from './log-level-memory.ts';
export type { LogLevelMemoryConfig } from './log-level-memory.ts';
export { serverIcon } from './server-icon.ts';
export type { ServerIcon } from './server-icon.ts';
export { ProtocolError } from './protocol-error.ts';
export {
  LEGACY_PROTOCOL_VERSION,
  MODERN_ERROR,
  MODERN_PROTOCOL_VERSION,
  REVISION_META,
  SERVED_PROTOCOL_VERSIONS,
  SERVER_CACHE_HINTS,
  claimedRevision,
  innerRequest,
  isModernRevision,
  decodeHeaderValue,
  modernRequestProblem,
  requestRevision,
} from './protocol-revision.ts';
export { closedSubscription, modernErrorStatus, modernResponse } from './modern-response.ts';
export type { CacheHint, CacheHints, RevisionProblem } from './protocol-revision.ts';
export { rateLimitKeyOf } from './rate-limit-key.ts';
export { DEFAULT_REDACTED_FIELDS, canonicalJson, digest, keyedDigest, redactArguments } from './redact-arguments.ts';
export { resourceBinder } from './resource-binder.ts';
export { runtimeMigrations } from './runtime-migrations.ts';
export type { RuntimeTables } from './runtime-migrations.ts';
export { serveStdio } from './stdio-server.ts';
export { StdioLineTransport } from './stdio-transport.ts';
export type { StdioLineTransportConfig } from './stdio-transport.ts';
export { invalidMessageResponse, jsonRpcMessageProblem, refusedBatchResponses } from './json-rpc-shape.ts';
export type { StdioServerHandle } from './stdio-server.ts';
export { toolBinder } from './tool-binder.ts';
export { FULL_VIEW, LAZY, READONLY, TOOLSETS, TOOLSET_NAMES, describeView, inToolset, inView, isToolset, parseViewWords } from './toolsets.ts';
export type { ToolsetName, ViewSelection } from './toolsets.ts';
export { CALL_TOOL, DESCRIBE_TOOL, LAZY_TOOL_DEFINITIONS, SEARCH_TOOL, lazyCallInput, lazyDescribeInput, lazySearchInput } from './lazy-tools.ts';
export {
  META_ALIASES,
  META_DEADLINE,
  META_SCOPES,
  advertisedInputSchema,
  advertisedOutputSchema,
  catalogMeta,
  compactJsonSchema,
  shortSpelling,
  toolDefinition,
} from './tool-definition.ts';
export { resultFields } from './result-fields.ts';
export { ToolRunner } from './tool-runner.ts';
export { ToolTasks } from './tool-tasks.ts';
export {
  CLIENT_CAPABILITIES_META,
  RELATED_TASK_META,
  TASKS_EXTENSION,
  URL_ELICITATION_REQUIRED,
  acceptsUrlElicitation,
  cancelTaskResult,
  createTaskResult,
  declaresTasksExtension,
  decodeTaskId,
  encodeTaskId,
  getTaskResult,
  isTerminalTask,
  taskCapabilities,
  taskNotFound,
  taskRevisionOf,
  tasksExtensionMissing,
  urlElicitationAnswer,
  wireStatus,
  wireTask,
} from './task-wire.ts';
export type { TaskRevision, TaskState, UrlElicitation } from './task-wire.ts';
export type { CallEnvelope } from './call-envelope.ts';
export type { CallToolResultJson } from './call-tool-result-json.ts';
export type {
  Completer,
  EmbeddedResourceBlock,
  PromptBinding,
  PromptMessage,
  ResourceBinding,
  ResourceContent,
  ResourceLinkSpec,
  ToolBinding,
  ToolBindingOptions,
  RequestContext,
  ToolContext,
  ToolTaskBinding,
} from './types.ts';
export { OWN_TRANSACTIONS, jobContext, systemPrincipal } from './job-context.ts';
export type { JobContextOptions } from './job-context.ts';
export { runMcpServer } from './run-mcp-server.ts';
export type { CommonServerSettings, RunMcpServerOptions, RunningMcpServer } from './run-mcp-server.ts';
export { runServerCommand } from './run-server-command.ts';
export type { RunServerCommandOptions, ServerCommandContext, ServerCommandFlag, ServerCommandSettings } from './run-server-command.ts';
export { readRequestBody } from './read-request-body.ts';
