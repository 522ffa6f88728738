import { createDevIssuerServer, loadOrCreateDevIssuer } from '@mcpfed/auth';
const issuer = await loadOrCreateDevIssuer({ dir: '/tmp/devissuer', issuerUrl: 'http://127.0.0.1:8095' });
createDevIssuerServer(issuer).listen(8095, '127.0.0.1');
const token = await issuer.mint({ subject: 'bench', scopes: ['customer:read'], audience: 'mcpfed', ttlSeconds: 3600 });
process.stdout.write(token + '\n');
