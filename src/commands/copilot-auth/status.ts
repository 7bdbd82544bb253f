import { HeadroomCommand } from '../../command.js';
import { credentialFile, fingerprint, readLogin } from '../../copilot/credential.js';
import { HeadroomError } from '../../errors.js';

export default class CopilotAuthStatus extends HeadroomCommand {
  static override summary =
    'Show the stored GitHub login for Copilot: account, token fingerprint, when stored.';
  static override description =
    'Reads the credential file and prints the account, the GitHub host, where the token came from, its ' +
    'fingerprint (a hash prefix: the token itself is never shown) and when it was stored. Exits 1 when no login is stored.';
  static override examples = [
    '<%= config.bin %> copilot-auth status',
    '<%= config.bin %> copilot-auth status --json',
  ];
  static override enableJsonFlag = true;

  async run(): Promise<unknown> {
    await this.parse(CopilotAuthStatus);
    const login = readLogin();
    if (!login) {
      throw new HeadroomError('not logged in to GitHub for Copilot: run `headroom copilot-auth login`');
    }
    const shown = {
      domain: login.domain,
      account: login.account,
      source: login.source,
      fingerprint: fingerprint(login.token),
      storedAt: login.storedAt,
      file: credentialFile(),
    };
    if (!this.jsonEnabled()) {
      this.log(`Logged in to ${shown.domain} as ${shown.account} (from ${shown.source})`);
      this.log(`token   ${shown.fingerprint}`);
      this.log(`stored  ${shown.storedAt}`);
      this.log(`file    ${shown.file}`);
    }
    return shown;
  }
}
