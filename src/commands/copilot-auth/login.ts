import { Flags } from '@oclif/core';
import { copilotEndpointFlags, HeadroomCommand } from '../../command.js';
import { openInBrowser } from '../../copilot/browser.js';
import { fingerprint } from '../../copilot/credential.js';
import { DEFAULT_DOMAIN, parseDomain } from '../../copilot/endpoints.js';
import { logIn } from '../../copilot/login.js';

export default class CopilotAuthLogin extends HeadroomCommand {
  static override summary = 'Log in to GitHub so headroom can carry your Copilot subscription traffic.';
  static override description =
    'Runs the GitHub device login: prints a code and the page to enter it on (opened in your browser when there ' +
    'is one), waits while you authorise, checks that GitHub issues a Copilot token for the account, then stores ' +
    'the GitHub token in the headroom config directory (copilot-auth.json, 0600). --use-existing reuses a token ' +
    'already on this machine instead: the Copilot editor plugins’ login (~/.config/github-copilot/), ' +
    'COPILOT_GITHUB_TOKEN, GH_TOKEN or GITHUB_TOKEN, or `gh auth token`. Then run `headroom wrap copilot --subscription`.';
  static override examples = [
    '<%= config.bin %> copilot-auth login',
    '<%= config.bin %> copilot-auth login --domain acme.ghe.com',
    '<%= config.bin %> copilot-auth login --use-existing',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    domain: Flags.string({
      description: 'GitHub host to log in to: github.com or your GitHub Enterprise host',
      default: DEFAULT_DOMAIN,
    }),
    'use-existing': Flags.boolean({
      description:
        'Reuse a GitHub token already on this machine (Copilot editor login, COPILOT_GITHUB_TOKEN/GH_TOKEN/GITHUB_TOKEN, gh)',
    }),
    browser: Flags.boolean({
      allowNo: true,
      default: true,
      description:
        'Open the verification page in a browser when there is a desktop (--no-browser only prints it)',
    }),
    'github-url': Flags.string({
      description: "GitHub's web base URL (default: https://<domain>) [env: HEADROOM_GITHUB_URL]",
    }),
    'github-api-url': copilotEndpointFlags['github-api-url'],
  };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(CopilotAuthLogin);
    const domain = parseDomain(flags.domain);
    const { config } = this.resolve({
      githubUrl: flags['github-url'],
      githubApiUrl: flags['github-api-url'],
    });
    const interactive = process.stdout.isTTY === true;
    const { login, file } = await logIn({
      domain,
      overrides: config,
      useExisting: flags['use-existing'],
      // The code and the page go to stderr, so --json output stays one document.
      say: (line) => process.stderr.write(`${line}\n`),
      showPage: (url) => {
        if (flags.browser && interactive && openInBrowser(url))
          process.stderr.write('(opened in your browser)\n');
      },
    });
    if (!this.jsonEnabled()) {
      this.log(
        `Logged in to ${login.domain} as ${login.account}; token ${fingerprint(login.token)} stored in ${file}`,
      );
    }
    return { domain: login.domain, account: login.account, fingerprint: fingerprint(login.token), file };
  }
}
