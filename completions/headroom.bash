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
    "compress") opts="--json --query -q --kind -k --disable-transforms --cache-dir --kompress-model --target-ratio --verbose -v --help" ;;
    "config") opts="--json --show-secrets --live --help list get set unset path" ;;
    "copilot-auth login") opts="--json --domain --use-existing --browser --no-browser --github-url --github-api-url --help" ;;
    "copilot-auth logout") opts="--json --help" ;;
    "copilot-auth status") opts="--json --help" ;;
    "doctor") opts="--json --cache-dir --help" ;;
    "learn") opts="--json --project --all --agent --local --apply --max-rules --cache-dir --llm --llm-agent --llm-model --llm-timeout --anthropic-upstream --openai-upstream --help" ;;
    "mcp install") opts="--json --agent --scope --dry-run --help" ;;
    "mcp serve") opts="--transport --port -p --host --cache-dir --verbose -v --help" ;;
    "mcp status") opts="--json --agent --scope --help" ;;
    "mcp uninstall") opts="--json --agent --scope --dry-run --help" ;;
    "memory delete") opts="--json --cache-dir --help" ;;
    "memory edit") opts="--json --cache-dir --help" ;;
    "memory export") opts="--scope --project --cache-dir --help" ;;
    "memory import") opts="--json --cache-dir --help" ;;
    "memory list") opts="--json --scope --project --cache-dir --limit --help" ;;
    "memory search") opts="--json --scope --project --cache-dir --limit --help" ;;
    "memory show") opts="--json --cache-dir --help" ;;
    "perf") opts="--json --items --speed --no-speed --verbose -v --html --live --since --cache-dir --help" ;;
    "proxy") opts="--port -p --host --cache-dir --store --anthropic-upstream --openai-upstream --gemini-upstream --compress --no-compress --min-tokens --budget-bytes --budget-ms --exclude-tools --disable-transforms --history --memory --no-memory --memory-scope --verbosity --effort-routing --verbose -v --copilot-subscription --github-api-url --copilot-api-url --log-file --help" ;;
    "retrieve") opts="--json --query -q --cache-dir --store --help" ;;
    "stats") opts="--json --since --agent --session --by --project --csv --reset --yes -y --cache-dir --store --help" ;;
    "wrap") opts="--port -p --host --cache-dir --store --anthropic-upstream --openai-upstream --gemini-upstream --compress --no-compress --min-tokens --budget-bytes --budget-ms --exclude-tools --disable-transforms --history --memory --no-memory --memory-scope --verbosity --effort-routing --verbose -v --subscription --github-api-url --copilot-api-url --proxy-url --help" ;;
    "") opts="cache compress config copilot-auth doctor learn mcp memory perf proxy retrieve stats wrap --help --version" ;;
    *) opts="" ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _headroom headroom
