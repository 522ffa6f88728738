import { countTokens } from '@anthropic-ai/tokenizer';
import { getEncoding } from 'js-tiktoken';

const cl100k = getEncoding('cl100k_base');

/** Tokens of `text` by two real tokenizers: OpenAI's cl100k_base (js-tiktoken) and Anthropic's (@anthropic-ai/tokenizer). */
export interface TokenCount {
  cl100k: number;
  claude: number;
}

function tokens(text: string): TokenCount {
  return { cl100k: cl100k.encode(text).length, claude: countTokens(text) };
}

/** One tool's share of a catalog. */
export interface ToolFigures {
  name: string;
  chars: number;
  tokens: TokenCount;
  descriptionChars: number;
}

/** What one tools/list result costs a model. */
export interface CatalogFigures {
  tools: number;
  /** Characters of the whole `{"tools":[…]}` result as JSON. */
  chars: number;
  tokens: TokenCount;
  /** Tokens (cl100k) of the descriptions, input schemas and output schemas, each summed over the tools. */
  descriptions: number;
  inputSchemas: number;
  outputSchemas: number;
  /** Every tool, largest first (by cl100k tokens of its JSON). */
  perTool: ToolFigures[];
}

/** Measures a tools/list result (`tools` as listed, JSON as it goes on the wire). */
export function measureCatalog(tools: ReadonlyArray<Record<string, unknown>>): CatalogFigures {
  const whole = JSON.stringify({ tools });
  const count = (key: string) =>
    tools.reduce(
      (sum, tool) => sum + (tool[key] === undefined ? 0 : cl100k.encode(typeof tool[key] === 'string' ? tool[key] : JSON.stringify(tool[key])).length),
      0,
    );
  const perTool = tools
    .map((tool) => {
      const json = JSON.stringify(tool);
      return { name: String(tool['name']), chars: json.length, tokens: tokens(json), descriptionChars: String(tool['description'] ?? '').length };
    })
    .sort((a, b) => b.tokens.cl100k - a.tokens.cl100k);
  return {
    tools: tools.length,
    chars: whole.length,
    tokens: tokens(whole),
    descriptions: count('description'),
    inputSchemas: count('inputSchema'),
    outputSchemas: count('outputSchema'),
    perTool,
  };
}
