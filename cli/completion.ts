import type { Command } from 'commander';

/** The shells `completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/**
 * What may follow each command, by its path from `restorectl`: its subcommands, or the long
 * options it takes. The scripts hold this table, made from the command tree itself, so they
 * complete what the CLI has.
 */
export function completionTable(program: Command): Map<string, string[]> {
  const table = new Map<string, string[]>();
  (function walk(command: Command, path: string) {
    const options = command.options.map((o) => o.long).filter((l): l is string => l !== undefined);
    table.set(path, [...command.commands.map((c) => c.name()), ...options, '--help']);
    for (const sub of command.commands) walk(sub, `${path} ${sub.name()}`);
  })(program, 'restorectl');
  return table;
}

/** A shell's single-quoted word. */
const quoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * The completion script for `shell`. Each finds the command the words typed so far name
 * (options and their values passed over), then offers what may follow it.
 */
export function completionScript(shell: Shell, table: Map<string, string[]>): string {
  const rows = [...table];
  if (shell === 'fish') {
    return [
      '# restorectl completion for fish: restorectl completion fish > ~/.config/fish/completions/restorectl.fish',
      'function __restorectl_complete',
      '    set -l cmdpath restorectl',
      '    for w in (commandline -opc)[2..-1]',
      "        string match -q -- '-*' $w; and continue",
      '        switch "$cmdpath $w"',
      ...rows.filter(([path]) => path !== 'restorectl').map(([path]) => `            case ${quoted(path)}\n                set cmdpath ${quoted(path)}`),
      '        end',
      '    end',
      '    switch $cmdpath',
      ...rows.map(([path, words]) => `        case ${quoted(path)}\n            printf '%s\\n' ${words.map(quoted).join(' ')}`),
      '    end',
      'end',
      "complete -c restorectl -f -a '(__restorectl_complete)'",
      '',
    ].join('\n');
  }
  const bashPairs = rows.map(([path, words]) => `  [${quoted(path)}]=${quoted(words.join(' '))}`).join('\n');
  if (shell === 'zsh') {
    return [
      '#compdef restorectl',
      '# restorectl completion for zsh: restorectl completion zsh > "${fpath[1]}/_restorectl"',
      'typeset -gA _restorectl_words',
      `_restorectl_words=(\n${rows.map(([path, words]) => `  ${quoted(path)} ${quoted(words.join(' '))}`).join('\n')}\n)`,
      '_restorectl() {',
      '  local cmdpath=restorectl w',
      '  for w in ${words[2,CURRENT-1]}; do',
      '    [[ $w == -* ]] && continue',
      '    (( ${+_restorectl_words[$cmdpath $w]} )) && cmdpath="$cmdpath $w"',
      '  done',
      '  compadd -- ${=_restorectl_words[$cmdpath]}',
      '}',
      'compdef _restorectl restorectl',
      '',
    ].join('\n');
  }
  return [
    '# restorectl completion for bash: restorectl completion bash > /etc/bash_completion.d/restorectl',
    'declare -gA _restorectl_words',
    `_restorectl_words=(\n${bashPairs}\n)`,
    '_restorectl() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" cmdpath=restorectl w i',
    '  for (( i = 1; i < COMP_CWORD; i++ )); do',
    '    w="${COMP_WORDS[i]}"',
    '    [[ $w == -* ]] && continue',
    '    [[ -n "${_restorectl_words["$cmdpath $w"]+set}" ]] && cmdpath="$cmdpath $w"',
    '  done',
    '  COMPREPLY=( $(compgen -W "${_restorectl_words[$cmdpath]}" -- "$cur") )',
    '}',
    'complete -F _restorectl restorectl',
    '',
  ].join('\n');
}
