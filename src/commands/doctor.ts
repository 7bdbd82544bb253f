import { HeadroomCommand, proxyFlags } from '../command.js';
import { resolveLeniently } from '../config.js';
import { diagnose } from '../doctor.js';
import { HeadroomError } from '../errors.js';

export default class DoctorCommand extends HeadroomCommand {
  static override summary =
    'Check which optional parts are configured and load, and whether a proxy answers.';
  static override description =
    'Loads the Kompress model when one is configured, the code transform’s tree-sitter grammars and the store, ' +
    'lists the settings that are not at their defaults and where each came from, and asks the running proxy ' +
    '(or the configured address) for /health. Exits 1 when something configured fails to load.';
  static override examples = [
    '<%= config.bin %> doctor',
    'HEADROOM_KOMPRESS_MODEL=~/models/llmlingua-2 <%= config.bin %> doctor',
    '<%= config.bin %> doctor --json',
  ];
  static override enableJsonFlag = true;
  static override flags = { 'cache-dir': proxyFlags['cache-dir'] };

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DoctorCommand);
    const report = await diagnose(resolveLeniently({ cacheDir: flags['cache-dir'] }));
    if (!this.jsonEnabled()) {
      for (const check of report.checks) {
        process.stdout.write(`${check.part.padEnd(9)} ${check.state.padEnd(6)} ${check.detail}\n`);
      }
      process.stdout.write(`\nsettings (${report.configFile}):\n`);
      if (report.settings.length === 0) process.stdout.write('  all at their defaults\n');
      for (const setting of report.settings) {
        process.stdout.write(`  ${setting.name} = ${JSON.stringify(setting.value)} (${setting.source})\n`);
      }
    }
    if (report.failed) {
      const failed = report.checks.filter((check) => check.state === 'failed').map((check) => check.part);
      if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      throw new HeadroomError(`${failed.join(', ')}: configured but not loading`);
    }
    return report;
  }
}
