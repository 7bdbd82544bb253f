# fish completion for headroom (generated from oclif.manifest.json; do not edit)
complete -c headroom -f
complete -c headroom -n '__fish_use_subcommand' -a 'config' -d 'Show or change settings in the headroom config file.'
complete -c headroom -n '__fish_use_subcommand' -a 'retrieve' -d 'Print an original that compression shortened, by the id in its marker.'
complete -c headroom -n '__fish_seen_subcommand_from config' -l json -d 'Format output as json.'
complete -c headroom -n '__fish_seen_subcommand_from config' -l show-secrets -d 'Print the API key instead of masking it'
complete -c headroom -n '__fish_seen_subcommand_from config' -a 'list get set unset path'
complete -c headroom -n '__fish_seen_subcommand_from retrieve' -l json -d 'Format output as json.'
complete -c headroom -n '__fish_seen_subcommand_from retrieve' -l query -s q -r -d 'Only print lines (or JSON items) containing any of these words or "quoted phrases"'
complete -c headroom -n '__fish_seen_subcommand_from retrieve' -l cache-dir -r -d 'Directory for the stats and originals store [env: HEADROOM_CACHE_DIR]'
