import { HeadroomCommand } from '../../command.js';
import { credentialFile, deleteLogin } from '../../copilot/credential.js';

export default class CopilotAuthLogout extends HeadroomCommand {
  static override summary = 'Delete the stored GitHub login for Copilot.';
  static override description =
    'Deletes the credential file. The token stays valid on GitHub until you revoke it there ' +
    '(Settings → Applications → Authorized OAuth Apps).';
  static override examples = ['<%= config.bin %> copilot-auth logout'];
  static override enableJsonFlag = true;

  async run(): Promise<unknown> {
    await this.parse(CopilotAuthLogout);
    const file = credentialFile();
    const deleted = deleteLogin();
    if (!this.jsonEnabled()) this.log(deleted ? `Logged out: deleted ${file}` : 'No GitHub login was stored');
    return { deleted, file };
  }
}
