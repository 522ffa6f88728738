/** What the login page shows. */
export interface LoginPageOptions {
  /** Interaction id. */
  readonly uid: string;
  /** The client asking for access, shown to the person. */
  readonly clientId: string;
  /** Where the form posts (the interaction URL). */
  readonly action: string;
  /** A message after a failed attempt. */
  readonly error?: string;
}

/** The dev provider's login page: a plain HTML form (no script), every value escaped. */
export function renderLoginPage(options: LoginPageOptions): string {
  const error = options.error === undefined ? '' : `<p role="alert" class="error">${escapeHtml(options.error)}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mcpfed dev login</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:4rem auto}label{display:block;margin:.8rem 0}input{width:100%;padding:.4rem}.error{color:#b00}</style>
</head><body>
<h1>Sign in</h1>
<p><strong>${escapeHtml(options.clientId)}</strong> asks for access to mcpfed (development issuer).</p>
${error}
<form method="post" action="${escapeHtml(options.action)}">
<label>User <input name="login" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
</body></html>`;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
