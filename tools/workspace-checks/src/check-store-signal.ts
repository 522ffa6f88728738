import ts from 'typescript';

/** Kysely calls that run a query; each takes the options object that carries the abort signal. */
const QUERY_METHODS = new Set(['execute', 'executeTakeFirst', 'executeTakeFirstOrThrow', 'executeQuery', 'stream']);
const SIGNAL = /\bsignal\b/;
/** Builders whose `execute(callback)` runs a callback, not a query: the callback's own queries are checked instead. */
const CALLBACK_RUNNERS = new Set(['transaction', 'connection']);

/**
 * Problems of one file of a `store/` room (`file` names it in the messages): every query it runs passes the call's
 * abort signal on (the call's arguments mention `signal`, e.g. `.execute({ signal: this.#signal })`), and every class
 * that runs queries takes `signal` in its constructor (the store idiom: constructed per call with `(db, signal)`).
 */
export function checkStoreSignal(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const problems: string[] = [];
  const line = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node) => {
    if (isQueryCall(node)) {
      const args = node.arguments.map((arg) => arg.getText(source)).join(', ');
      if (!SIGNAL.test(args)) problems.push(`${file}:${line(node)}: .${node.expression.name.text}(${args}) runs a query without the signal`);
    }
    if (ts.isClassLike(node) && runsQueries(node)) {
      const constructor = node.members.find(ts.isConstructorDeclaration);
      const takesSignal = constructor?.parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === 'signal') ?? false;
      if (!takesSignal) problems.push(`${file}:${line(node)}: class ${node.name?.text ?? '(anonymous)'} runs queries but its constructor takes no signal`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return problems;
}

function isQueryCall(node: ts.Node): node is ts.CallExpression & { expression: ts.PropertyAccessExpression } {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || !QUERY_METHODS.has(node.expression.name.text)) return false;
  // `db.transaction().setIsolationLevel('serializable').execute(async (trx) => ...)`: walk the builder chain down.
  for (
    let target: ts.Expression = node.expression.expression;
    ts.isCallExpression(target) && ts.isPropertyAccessExpression(target.expression);
    target = target.expression.expression
  ) {
    if (CALLBACK_RUNNERS.has(target.expression.name.text)) return false;
  }
  return true;
}

function runsQueries(node: ts.Node): boolean {
  let found = false;
  const visit = (child: ts.Node) => {
    if (found) return;
    if (isQueryCall(child)) found = true;
    else ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}
