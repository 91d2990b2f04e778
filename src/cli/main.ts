// The command line (DESIGN.md §4). Exit codes: 0 nothing failed, 1 a check failed, 2 usage or input
// error (one line, no stack trace), 3 could not complete.
//
// Only commander and what parsing needs load up front: each command imports its own modules when it
// runs, so --help, explain and usage errors never pay for vitest, the SDKs or the Kubernetes client
// (test/e2e/startup.test.ts checks which modules load; bench/startup.mjs times it).
import { Command, CommanderError, Option } from 'commander';
import { DoctorError, UsageError } from '../errors.js';
import { EXIT } from '../model.js';
import type { RawCheckOptions } from './config.js';
import type { Io } from './run-check.js';
import type { RawLabOptions } from './lab.js';
import type { RawProvisionOptions } from './provision.js';
import { VERSION } from './version.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
/** Repeatable and comma separated, as --only is: `--fault a,b` is `--fault a --fault b`. */
const collectList = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

/** `--dns-server` → MILVUS_L7_DOCTOR_DNS_SERVER: every option of check and lab has one. */
export function envName(long: string): string {
  return `MILVUS_L7_DOCTOR_${long.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}


function addReportOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'read options from a YAML file (keys are option names: host: milvus.example.com); flags and MILVUS_L7_DOCTOR_* variables win')
    .option('--timeout <duration>', 'deadline of each probe (5s)')
    .option('--only <ids...>', 'run only these checks: ids, areas or prefixes like tls.* (repeatable, comma separated)', collect)
    .option('--skip <ids...>', 'do not run these checks (same forms as --only)', collect)
    .option('--output <format>', 'tui | plain | json (default: tui on a terminal, plain otherwise)')
    .option('--json <file>', 'also write the JSON report to a file (- for stdout)')
    .option('--junit <file>', 'also write a JUnit XML report to a file (- for stdout; the rest goes to stderr)')
    .option('--snapshot <file>', 'save the gathered facts (no secrets) to judge again later')
    .option('--fail-on <level>', 'fail | warn | never: what makes the exit code 1 (fail)')
    .option('--smoke', 'also create, write, search and drop a temporary collection through the load balancer')
    .option('--warn-days <n>', 'warn when a certificate expires within n days (30)')
    .option('--fail-days <n>', 'fail when a certificate expires within n days (7)')
    .option('--max-latency <duration>', 'fail when the p95 of GetVersion through the load balancer is above this')
    .option('--latency-samples <n>', 'GetVersion calls measured for latency (20)')
    .option('-v, --verbose', 'plain output: every check with its time and observed value, and each gather step')
    .option('-q, --quiet', 'plain output: failures, warnings and errors, then the summary');
}

function addTargetOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--provider <provider>', 'aws | gcp | auto'))
    .option('-n, --namespace <namespace>', 'Kubernetes namespace of the Milvus release (discovers the rest)')
    .option('--release <name>', 'Helm release name of Milvus')
    .option('--service <name>', 'the Milvus Service (default: found from the release)')
    .option('--ingress <name>', 'the Ingress (default: the one routing to the Service)')
    .option('--host <name>', 'the public host name in the Ingress rule and certificate (offline: the host the objects are judged against)')
    .option('--address <address>', 'where to connect (default: the Ingress status address, else the host)')
    .option('--port <port>', 'the load balancer port (443)')
    .option('--server-name <name>', 'TLS server name (SNI) to send (default: --host)')
    .option('--ca <file>', 'PEM bundle of the CA(s) to trust instead of the system roots')
    .option('--token <token>', 'Milvus token (prefer the MILVUS_TOKEN environment variable)')
    .option('--user <name>', 'Milvus user (or MILVUS_USER)')
    .option('--password <password>', 'Milvus password (prefer MILVUS_PASSWORD)')
    .option('--healthz-url <url>', 'a /healthz URL on 9091 to check (e.g. through kubectl port-forward)')
    .option('--dns-server <ip[:port]>', 'resolve the host with this DNS server instead of the system resolver')
    .option('--kubeconfig <file>', 'kubeconfig to read the cluster with (default: $KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('--manifests <path>', 'check rendered manifests offline: a file, a directory, or - for stdin; the load balancer is probed only with --address')
    .option('--aws-region <region>', 'AWS region of the ALB (default: AWS_REGION, the ALB hostname, the certificate ARN)')
    .option('--aws-profile <name>', 'AWS profile for the SDK\'s credential chain')
    .option('--min-idle-timeout <duration>', 'warn when the ALB idle timeout is below this (long calls are cut)')
    .option('--gcp-project <id>', 'GCP project of the load balancer (default: the cluster nodes\' providerID, then ADC)')
    .option('--gcp-endpoint <url>', 'Compute API endpoint (scheme, host and port), e.g. a private or local one')
    .option('--wait <duration>', 'retry until nothing fails or this much time has passed (CI right after a deploy)')
    .option('--from-snapshot <file>', 'judge the facts of a saved --snapshot instead of probing');
}

function buildProgram(io: Io, signal: AbortSignal, setCode: (code: number) => void): Command {
  // Subcommands built with `new Command` + addCommand inherit nothing: each gets the same settings.
  const configure = (cmd: Command): Command =>
    cmd
      .showSuggestionAfterError(true)
      .exitOverride()
      .configureOutput({
        writeOut: (s) => io.stdout.write(s),
        writeErr: (s) => io.stderr.write(s),
        // One line, whatever commander would have said.
        outputError: (s, write) => write(`milvus-l7-doctor: ${s.replace(/^error: /, '').replace(/\n+(?=.)/g, ' ').trim()}\n`),
      });
  const program = configure(new Command('milvus-l7-doctor'))
    .description('Checks a Milvus deployment behind a Layer-7 load balancer (AWS ALB, GKE Ingress) end to end, and says which layer is broken and how to fix it.')
    .version(VERSION, '-V, --version');

  const check = configure(new Command('check')).description('check a deployment (the default command)');
  // Words left over reach the default command: usually a mistyped command name, said as such below
  // rather than as commander's "too many arguments for 'check'".
  addReportOptions(addTargetOptions(check)).allowExcessArguments(true).action(async (opts: RawCheckOptions, cmd: Command) => {
    const stray = cmd.args[0];
    if (stray !== undefined) throw await strayWord(stray, program);
    const { checkReplayOptions, checkReportPaths } = await import('./report-paths.js');
    checkReplayOptions({ ...opts }, (key) => {
      const source = cmd.getOptionValueSource(key);
      const long = cmd.options.find((o) => o.attributeName() === key)?.long;
      return source === 'env' && long ? envName(long) : source === 'config' ? '--config' : undefined;
    });
    checkReportPaths(opts);
    const { resolveRunConfig } = await import('./config.js');
    const config = resolveRunConfig(opts, io.env, io.stdout.isTTY === true);
    const { preflight } = await import('./preflight.js');
    await preflight(config, io.env);
    const { runCheck } = await import('./run-check.js');
    setCode(await runCheck(config, io, signal));
  });
  program.addCommand(check, { isDefault: true });

  const lab = configure(new Command('lab'))
    .description('start the local lab (TLS front, Milvus, /healthz, DNS, Kubernetes API) and check it')
    .option('--fault <names>', 'inject faults (repeatable, comma separated); see --list-faults', collectList)
    .option('--list-faults', 'list the faults and what each reproduces')
    .option('--keep', 'keep the lab running after the check, and print how to reach it')
    .option('--bare', 'only what the guides start from (Milvus behind an L4 LoadBalancer Service); with --keep, prints the provision command')
    .option('--dns-answer <address>', 'what the lab\'s DNS answers for the host (default 127.0.0.1, the lab\'s load balancer): another address plays a record not yet moved to it')
    .addOption(new Option('--provider <provider>', 'aws | gcp: which flavour the lab serves (default aws, or the flavour of a --fault)'));
  addReportOptions(lab).action(async (opts: RawLabOptions) => {
    const { checkReportPaths } = await import('./report-paths.js');
    checkReportPaths(opts);
    const { runLab } = await import('./lab.js');
    setCode(await runLab(opts, io, signal));
  });
  program.addCommand(lab);

  const provisionCmd = configure(new Command('provision'))
    .description('plan (default) or --apply the pieces of the guide that are missing or wrong (server-side apply), then --wait and check')
    .option('--cert <kind>', 'self-signed (a CA and a leaf with the host in its SAN) | managed (GKE ManagedCertificate)')
    .option('--cert-file <file>', 'the certificate (PEM; a fullchain file is fine) to install: a TLS Secret (GCP) or an ACM import (AWS)')
    .option('--key-file <file>', 'its private key (PEM)')
    .option('--chain-file <file>', 'the intermediates that complete the chain')
    .option('--certificate-arn <arn>', 'AWS: an ISSUED ACM certificate to use')
    .option('--scheme <scheme>', 'AWS: internet-facing (default) | internal')
    .option('--allow-http', 'GCP: leave port 80 open (default: kubernetes.io/ingress.allow-http "false")')
    .option('--apply', 'make the changes (server-side apply, fieldManager milvus-l7-doctor); without it, only plan')
    .option('-o, --output <format>', 'text (default) | json (the plan) | yaml (the manifests of what is missing or wrong)')
    .option('--force-conflicts', 'take over fields another field manager owns (a conflict blocks the plan otherwise)')
    .option('--remove', 'list what provision created (by its label and field manager); with --apply, delete it (--wait: how long the ALB may hold its ACM certificate, default 2m)')
    .option('--helm', 'with --apply: run the helm upgrade for what Helm owns (helm must be on PATH)')
    .option('--include-secrets', 'with -o yaml: print Secret values (redacted otherwise)')
    .option('--out-dir <dir>', 'where to write the Helm values file and a self-signed CA (default: the current directory)');
  addTargetOptions(provisionCmd);
  // The check's options configure the check that follows --wait; its --output is provision's own -o.
  for (const option of addReportOptions(new Command()).options) if (option.long !== '--output') provisionCmd.addOption(option);
  provisionCmd.action(async (opts: RawProvisionOptions) => {
    const { provision } = await import('./provision.js');
    setCode(await provision(opts, io, signal));
  });
  program.addCommand(provisionCmd);
  // Flags win over MILVUS_L7_DOCTOR_* variables, variables over the --config file.
  program.hook('preAction', async (_program, action) => {
    if (!['check', 'lab', 'provision'].includes(action.name())) return;
    const fromEnv = action.options.some((o) => o.long !== undefined && io.env[envName(o.long)] !== undefined);
    if (!fromEnv && action.getOptionValue('config') === undefined && io.env[envName('--config')] === undefined) return;
    const { applyEnvironment, readConfigFile } = await import('./config-file.js');
    applyEnvironment(action, io.env, envName);
    await readConfigFile(action);
  });

  const explainCmd = configure(new Command('explain'));
  program.addCommand(explainCmd);
  explainCmd
    .description('what a check means, why it matters, how to fix it')
    .argument('[id]', 'check id, e.g. tls.chain')
    .option('--list', 'list every check id')
    .action(async (id: string | undefined, opts: { list?: boolean }) => {
      const { explain, listChecks } = await import('./explain.js');
      if (opts.list || id === undefined) io.stdout.write(listChecks());
      else io.stdout.write(explain(id));
      setCode(EXIT.ok);
    });
  const completion = configure(new Command('completion'))
    .description('print a shell completion script: eval "$(milvus-l7-doctor completion bash)"')
    .argument('<shell>', 'bash | zsh | fish')
    .action(async (shell: string) => {
      const { completionScript } = await import('./completion.js');
      io.stdout.write(completionScript(shell, program));
      setCode(EXIT.ok);
    });
  program.addCommand(completion);

  program.addHelpText('after', () => topLevelHelp(check));
  return program;
}

/** `milvus-l7-doctor --help`: most people run the default command, so its options are here too. */
function topLevelHelp(check: Command): string {
  const help = check.createHelp();
  const options = help.visibleOptions(check).filter((o) => o.long !== '--help');
  const width = Math.max(...options.map((o) => help.optionTerm(o).length));
  // Without the "(env: …)" suffix commander adds: the variables are explained once, below.
  const describe = (d: string) => d.replace(/ \(env: [^)]*\)$/, '');
  return [
    '',
    'Check options (the default command; `milvus-l7-doctor check --help` says the same):',
    ...options.map((o) => `  ${help.optionTerm(o).padEnd(width)}  ${describe(o.description)}`),
    '',
    'Examples:',
    '  milvus-l7-doctor -n milvus --release milvus            # find the Ingress and load balancer from the cluster, check end to end',
    '  milvus-l7-doctor --host milvus.example.com --address 203.0.113.10 --only tls,alpn --junit out/junit.xml',
    '  helm template milvus milvus/milvus -f values.yaml | milvus-l7-doctor --manifests - --host milvus.example.com',
    '',
    'Every option can also come from a MILVUS_L7_DOCTOR_* variable (--dns-server: MILVUS_L7_DOCTOR_DNS_SERVER)',
    'or a --config YAML file; flags win over variables, variables over the file.',
    '',
    'Exit codes: 0 nothing failed (warnings allowed unless --fail-on warn), 1 a check failed,',
    '            2 usage or input error, 3 could not complete (interrupted, or checks errored and none failed).',
    '',
  ].join('\n');
}

/** A word where the default command takes none: a mistyped command when it comes first. */
async function strayWord(word: string, program: Command): Promise<UsageError> {
  const names = [...program.commands.flatMap((c) => [c.name(), ...c.aliases()]), 'help'];
  if (word !== program.args[0]) return new UsageError(`unexpected argument '${word}' (options start with --; commands: ${names.join(', ')})`);
  const { closest } = await import('./values.js');
  const near = closest(word, names);
  return new UsageError(`unknown command '${word}' ${near.length ? `(did you mean ${near.join(' or ')}?)` : `(commands: ${names.join(', ')})`}`);
}

export async function main(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, signal, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are not errors; anything else commander already printed as one line.
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`milvus-l7-doctor: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof DoctorError) {
      io.stderr.write(`milvus-l7-doctor: ${err.message} (${err.code})\n`);
      return EXIT.incomplete;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`milvus-l7-doctor: internal error: ${message}\n`);
    if (io.env.MILVUS_L7_DOCTOR_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT.incomplete;
  }
}
