// Plays a sample run through the real reporters, to look at them by hand:
//   node dist/reporters/demo.js [tui|plain|json] [delay-ms] [--junit FILE] [--json FILE]
// e.g. in tmux: tmux new -d -s t 'node dist/reporters/demo.js tui 150; sleep 30'
import { detectColor } from './color.js';
import { OUTPUT_FORMATS, ReporterSet, createReporters, type OutputFormat } from './index.js';
import { SAMPLE_SECRET, playSampleRun } from './sample-run.js';

function isOutputFormat(v: string | undefined): v is OutputFormat {
  return OUTPUT_FORMATS.some((f) => f === v);
}

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const junitFile = flag('--junit');
const jsonFile = flag('--json');
const [format = 'tui', delay = '120'] = args;
if (!isOutputFormat(format)) {
  process.stderr.write(`demo: unknown output ${format}; one of ${OUTPUT_FORMATS.join(', ')}\n`);
  process.exit(2);
}
const secrets = [SAMPLE_SECRET];
const set = new ReporterSet(
  createReporters({
    output: format,
    jsonFile,
    junitFile,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stdout.isTTY === true,
    color: detectColor(process.stdout),
    secrets,
  }),
  { stderr: process.stderr, secrets },
);
await playSampleRun(set, Number(delay));
process.exitCode = set.exitCode(1);
