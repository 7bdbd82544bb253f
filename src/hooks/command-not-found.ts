// An unknown command is a usage error like any other: one line that says what exists, exit code 2.

import type { Hook } from '@oclif/core';

const hook: Hook<'command_not_found'> = async (options) => {
  const known = [...new Set(options.config.commandIDs.map((id) => id.split(':')[0]))].sort().join(', ');
  process.stderr.write(
    `headroom: unknown command "${options.id}" (commands: ${known}; see headroom --help)\n`,
  );
  process.exit(2);
};

export default hook;
