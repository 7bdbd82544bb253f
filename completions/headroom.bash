# bash completion for headroom (generated from oclif.manifest.json; do not edit)
_headroom() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in -*) ;; *) cmd="${cmd:+$cmd }${COMP_WORDS[i]}" ;; esac
  done
  local opts
  case "$cmd" in
    "config") opts="--json --show-secrets --help list get set unset path" ;;
    "retrieve") opts="--json --query -q --cache-dir --help" ;;
    "") opts="config retrieve --help --version" ;;
    *) opts="" ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _headroom headroom
