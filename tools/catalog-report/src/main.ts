import { catalogReport, formatReport } from './catalog-report.ts';

/**
 * `npm run catalog-report [-- --json]`: what a model is shown by each router view and role preset — tool count,
 * characters, and tokens by real tokenizers, split into descriptions, input and output schemas — and the largest
 * tools. Built from the runtime's own conversion of the contracts, which a router test holds equal to the wire.
 */
const rows = catalogReport();
if (process.argv.includes('--json')) {
  process.stdout.write(
    `${JSON.stringify(
      rows.map(({ figures: { perTool, ...figures }, ...rest }) => ({ ...rest, figures, largest: perTool.slice(0, 10) })),
      null,
      2,
    )}\n`,
  );
} else {
  process.stdout.write(`${formatReport(rows)}\n`);
}
