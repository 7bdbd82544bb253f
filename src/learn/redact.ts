// Rules end up in files people commit: anything in a command that looks like a secret is blanked first.

/** Each pattern's first group is what names the secret, kept; the rest is the secret. */
const SECRETS: readonly RegExp[] = [
  /()\b(?:sk|rk|pk)-(?:ant-|proj-)?[A-Za-z0-9_-]{8,}/g,
  /()\bgh[pousr]_[A-Za-z0-9]{16,}/g,
  /()\bAKIA[0-9A-Z]{16}\b/g,
  /()\bxox[abprs]-[A-Za-z0-9-]{8,}/g,
  /()\bAIza[0-9A-Za-z_-]{20,}/g,
  /(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /(\b[A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY)[A-Z0-9_]*=)(?:"[^"]*"|'[^']*'|\S+)/gi,
  /(--?(?:token|password|api-key|secret)[= ])(?:"[^"]*"|'[^']*'|\S+)/gi,
  /(:\/\/[^/\s:@]+:)[^@\s/]+(?=@)/g,
];

/** `text` with secrets replaced by `***`, keeping what names them (`API_KEY=***`, `Bearer ***`). */
export function redactSecrets(text: string): string {
  return SECRETS.reduce((out, pattern) => out.replace(pattern, '$1***'), text);
}
