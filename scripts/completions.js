// Generates bash, zsh and fish completions from oclif.manifest.json into completions/.
// Rerun after adding a command or flag (`npm run build` does); test/completions.test.ts checks they agree.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'));
const commands = Object.values(manifest.commands)
  .filter((c) => !c.hidden)
  .map((c) => ({
    id: c.id.replaceAll(':', ' '),
    summary: oneLine(c.summary ?? c.description ?? ''),
    flags: Object.values(c.flags)
      .filter((f) => !f.hidden)
      .map((f) => ({
        name: f.name,
        char: f.char,
        allowNo: f.allowNo,
        takesValue: f.type === 'option',
        summary: oneLine(f.summary ?? f.description ?? ''),
        options: f.options,
      })),
    args: Object.values(c.args ?? {}).map((a) => ({ name: a.name, options: a.options })),
  }))
  .sort((a, b) => a.id.localeCompare(b.id));

function oneLine(s) {
  return s.split('\n')[0].replace(/\s+/g, ' ').trim();
}

function flagWords(cmd) {
  const words = [];
  for (const f of cmd.flags) {
    words.push(`--${f.name}`);
    if (f.allowNo) words.push(`--no-${f.name}`);
    if (f.char) words.push(`-${f.char}`);
  }
  words.push('--help');
  return words;
}

function bash() {
  const cases = commands
    .map((c) => {
      const words = [...flagWords(c), ...c.args.flatMap((a) => a.options ?? [])];
      return `    "${c.id}") opts="${words.join(' ')}" ;;`;
    })
    .join('\n');
  const top = commands.map((c) => c.id.split(' ')[0]);
  return `# bash completion for headroom (generated from oclif.manifest.json; do not edit)
_headroom() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${cmd:+$cmd }\${COMP_WORDS[i]}" ;; esac
  done
  local opts
  case "$cmd" in
${cases}
    "") opts="${[...new Set(top)].join(' ')} --help --version" ;;
    *) opts="" ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _headroom headroom
`;
}

function zshEscape(s) {
  return s.replace(/[[\]:'"\\]/g, (m) => `\\${m}`);
}

function zsh() {
  const list = commands.map((c) => `    '${c.id.replaceAll(' ', '\\:')}:${zshEscape(c.summary)}'`).join('\n');
  const cases = commands
    .map((c) => {
      const specs = c.flags.map((f) => {
        const val = f.takesValue
          ? f.options
            ? `:${f.name}:(${f.options.join(' ')})`
            : `:${f.name}:_files`
          : '';
        const spec = [`'--${f.name}[${zshEscape(f.summary)}]${val}'`];
        if (f.allowNo) spec.push(`'--no-${f.name}[${zshEscape(f.summary)}]'`);
        if (f.char) spec.push(`'-${f.char}[${zshEscape(f.summary)}]${val}'`);
        return spec.join(' \\\n        ');
      });
      specs.push("'--help[Show help]'");
      const argOpts = c.args.flatMap((a) => a.options ?? []);
      if (argOpts.length) specs.push(`'*:${c.args[0].name}:(${argOpts.join(' ')})'`);
      else specs.push("'*:file:_files'");
      return `    ${c.id.split(' ').join('\\ ')})\n      _arguments -s \\\n        ${specs.join(' \\\n        ')}\n      ;;`;
    })
    .join('\n');
  return `#compdef headroom
# zsh completion for headroom (generated from oclif.manifest.json; do not edit)
_headroom() {
  local -a commands
  commands=(
${list}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local cmd=\${words[2]}
  shift words
  (( CURRENT-- ))
  case $cmd in
${cases}
  esac
}
_headroom "$@"
`;
}

function fishEscape(s) {
  return s.replace(/'/g, "\\'");
}

function fish() {
  const lines = [
    '# fish completion for headroom (generated from oclif.manifest.json; do not edit)',
    'complete -c headroom -f',
  ];
  for (const c of commands) {
    lines.push(`complete -c headroom -n '__fish_use_subcommand' -a '${c.id}' -d '${fishEscape(c.summary)}'`);
  }
  for (const c of commands) {
    const cond = `__fish_seen_subcommand_from ${c.id.split(' ')[0]}`;
    for (const f of c.flags) {
      const short = f.char ? ` -s ${f.char}` : '';
      const value = f.takesValue ? (f.options ? ` -x -a '${f.options.join(' ')}'` : ' -r') : '';
      lines.push(
        `complete -c headroom -n '${cond}' -l ${f.name}${short}${value} -d '${fishEscape(f.summary)}'`,
      );
      if (f.allowNo)
        lines.push(`complete -c headroom -n '${cond}' -l no-${f.name} -d '${fishEscape(f.summary)}'`);
    }
    const argOpts = c.args.flatMap((a) => a.options ?? []);
    if (argOpts.length) lines.push(`complete -c headroom -n '${cond}' -a '${argOpts.join(' ')}'`);
  }
  return `${lines.join('\n')}\n`;
}

mkdirSync(join(root, 'completions'), { recursive: true });
writeFileSync(join(root, 'completions', 'headroom.bash'), bash());
writeFileSync(join(root, 'completions', '_headroom'), zsh());
writeFileSync(join(root, 'completions', 'headroom.fish'), fish());
console.log(`completions/: ${commands.length} commands for bash, zsh, fish`);
