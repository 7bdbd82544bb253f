# bash completion for headroom (generated from oclif.manifest.json; do not edit)
_headroom() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in -*) ;; *) cmd="${cmd:+$cmd }${COMP_WORDS[i]}" ;; esac
  done
  local opts
  case "$cmd" in
    "cache") opts="--json --cache-dir --yes -y --help info clear" ;;
    "compress") opts="--json --query -q --kind -k --disable-transforms --cache-dir --help" ;;
    "config") opts="--json --show-secrets --live --help list get set unset path" ;;
    "perf") opts="--json --items --speed --no-speed --verbose -v --html --live --since --cache-dir --help" ;;
    "proxy") opts="--port -p --host --cache-dir --anthropic-upstream --openai-upstream --gemini-upstream --compress --no-compress --min-tokens --budget-bytes --budget-ms --exclude-tools --disable-transforms --history --verbosity --effort-routing --verbose -v --log-file --help" ;;
    "retrieve") opts="--json --query -q --cache-dir --help" ;;
    "stats") opts="--json --since --agent --session --by --project --csv --reset --yes -y --cache-dir --help" ;;
    "wrap") opts="--port -p --host --cache-dir --anthropic-upstream --openai-upstream --gemini-upstream --compress --no-compress --min-tokens --budget-bytes --budget-ms --exclude-tools --disable-transforms --history --verbosity --effort-routing --verbose -v --proxy-url --help" ;;
    "") opts="cache compress config perf proxy retrieve stats wrap --help --version" ;;
    *) opts="" ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _headroom headroom
