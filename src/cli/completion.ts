// `completion bash|zsh|fish`: scripts generated from the command definitions, so a new option is
// completed without anyone editing three shell dialects. Check ids (for explain, --only, --skip) are
// listed in the script itself: completing them then costs no Node start.
import type { Command } from 'commander';
import { AREAS } from '../model.js';
import { CATALOG } from '../catalog.js';
import { UsageError } from '../errors.js';

const BIN = 'milvus-l7-doctor';

interface Spec {
  readonly name: string;
  readonly options: readonly { readonly long: string; readonly short?: string; readonly description: string; readonly takesValue: boolean }[];
}

function specs(program: Command): Spec[] {
  return program.commands.map((c) => ({
    name: c.name(),
    options: c.options
      .filter((o) => o.long !== undefined)
      .map((o) => ({ long: o.long ?? '', ...(o.short ? { short: o.short } : {}), description: o.description.replace(/ \(env: [^)]*\)$/, ''), takesValue: o.required || o.optional })),
  }));
}

const CHECK_WORDS = [...AREAS, ...CATALOG.map((c) => c.id)].join(' ');

function bash(all: Spec[]): string {
  const cases = all
    .map((s) => `    ${s.name}) opts="${s.options.flatMap((o) => (o.short ? [o.long, o.short] : [o.long])).join(' ')} --help" ;;`)
    .join('\n');
  return `# ${BIN} bash completion: eval "$(${BIN} completion bash)" (e.g. in ~/.bashrc)
_milvus_l7_doctor() {
  local cur prev cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  cmd="check"
  case "\${COMP_WORDS[1]}" in
    ${all.map((s) => s.name).join('|')}) cmd="\${COMP_WORDS[1]}" ;;
  esac
  case "$prev" in
    --only|--skip) COMPREPLY=( $(compgen -W "${CHECK_WORDS}" -- "$cur") ); return ;;
    --output) COMPREPLY=( $(compgen -W "tui plain json" -- "$cur") ); return ;;
    --fail-on) COMPREPLY=( $(compgen -W "fail warn never" -- "$cur") ); return ;;
    --provider) COMPREPLY=( $(compgen -W "aws gcp auto" -- "$cur") ); return ;;
  esac
  if [ "$cmd" = explain ] && [[ "$cur" != -* ]]; then COMPREPLY=( $(compgen -W "${CHECK_WORDS}" -- "$cur") ); return; fi
  if [ "$cmd" = completion ]; then COMPREPLY=( $(compgen -W "bash zsh fish" -- "$cur") ); return; fi
  case "$cmd" in
${cases}
  esac
  if [ "$COMP_CWORD" -eq 1 ] && [[ "$cur" != -* ]]; then opts="${all.map((s) => s.name).join(' ')}"; fi
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -o default -F _milvus_l7_doctor ${BIN}
`;
}

function zshQuote(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/'/g, "'\\''").replace(/\[/g, '\\[').replace(/\]/g, '\\]').replace(/:/g, '\\:');
}

function zsh(all: Spec[]): string {
  const perCommand = all
    .map((s) => {
      const args = s.options.map((o) => `'${o.long}[${zshQuote(o.description)}]${o.takesValue ? ':value:' : ''}'`).join(' \\\n        ');
      return `    ${s.name})\n      _arguments ${args}${s.name === 'explain' ? " \\\n        '1:check:(${CHECK_WORDS})'" : s.name === 'completion' ? " \\\n        '1:shell:(bash zsh fish)'" : ''}\n      ;;`;
    })
    .join('\n');
  return `#compdef ${BIN}
# ${BIN} zsh completion: eval "$(${BIN} completion zsh)" (after compinit), or save as _${BIN} in $fpath
_milvus_l7_doctor() {
  local cmd=check
  if (( CURRENT > 2 )) && [[ \${words[2]} == (${all.map((s) => s.name).join('|')}) ]]; then
    cmd=\${words[2]}; shift words; (( CURRENT-- ))
  elif (( CURRENT == 2 )) && [[ \${words[2]} != -* ]]; then
    _values 'command' ${all.map((s) => s.name).join(' ')}; return
  fi
  case $cmd in
${perCommand}
  esac
}
compdef _milvus_l7_doctor ${BIN}
`;
}

function fish(all: Spec[]): string {
  const names = all.map((s) => s.name).join(' ');
  const lines = [`# ${BIN} fish completion: ${BIN} completion fish > ~/.config/fish/completions/${BIN}.fish`, `complete -c ${BIN} -f`];
  lines.push(`complete -c ${BIN} -n "not __fish_seen_subcommand_from ${names}" -a "${names}"`);
  for (const s of all) {
    // The default command's options apply before any command word too.
    const when = s.name === 'check' ? `not __fish_seen_subcommand_from ${all.filter((x) => x.name !== 'check').map((x) => x.name).join(' ')}` : `__fish_seen_subcommand_from ${s.name}`;
    for (const o of s.options) {
      const short = o.short ? ` -s ${o.short.replace(/^-/, '')}` : '';
      lines.push(`complete -c ${BIN} -n "${when}" -l ${o.long.replace(/^--/, '')}${short}${o.takesValue ? ' -r' : ''} -d '${o.description.replace(/'/g, "\\'")}'`);
    }
  }
  lines.push(`complete -c ${BIN} -n "__fish_seen_subcommand_from explain" -a "${CHECK_WORDS}"`);
  lines.push(`complete -c ${BIN} -n "__fish_seen_subcommand_from completion" -a "bash zsh fish"`);
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: string, program: Command): string {
  const all = specs(program);
  if (shell === 'bash') return bash(all);
  if (shell === 'zsh') return zsh(all);
  if (shell === 'fish') return fish(all);
  throw new UsageError(`completion ${JSON.stringify(shell)}: expected bash, zsh or fish`);
}
